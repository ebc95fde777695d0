import CustodyCore
import CustodyPipeline
import CustodyStore
import CustodyTestSupport
import Foundation
import Testing

struct IngestPipelineTests {
    let directory = TemporaryDirectory()

    @Test(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
    func everyCorpusFileIngestsAndReingestsWithoutNewFindings() throws {
        let store = try SQLStore(path: TestDatabase.location(directory.file("c.db")))
        let files = try FileManager.default.subpathsOfDirectory(atPath: Corpora.path("sarif"))
            .filter { $0.hasSuffix(".sarif") }.sorted().map { Corpora.path("sarif/" + $0) }
        var options = IngestOptions()
        options.repository = "corpus"
        // Unrelated samples from many years, not a history: the clock dates them (their own
        // times are still read, and one that is not a time would fail the ingest).
        options.usesReportedTime = false
        let first = try IngestPipeline(store: store).run(files: files, options: options).summary
        #expect(first.findings == 771)  // the sum of the per-file counts in SARIFCorpusTests
        #expect(first.new + first.seen == first.findings)
        let stored = try store.counts()["findings"]!
        #expect(stored == first.new)
        let second = try IngestPipeline(store: store).run(files: files, options: options).summary
        #expect(second.new == 0)
        #expect(second.seen == second.findings)
        #expect(try store.counts()["findings"] == stored)
    }

    @Test func sourceRootGivesContentFingerprints() throws {
        // Results without snippets or tool fingerprints: the line read from the checkout keeps
        // the identity when code above it moves.
        let checkout = directory.file("checkout")
        try directory.write("checkout/src/app.py", "import os\nos.system(cmd)\n")
        func report(line: Int) throws -> String {
            try directory.write(
                "r\(line).sarif",
                #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"S"}},"results":[{"ruleId":"cmd","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"src/app.py"},"region":{"startLine":\#(line)}}}]}]}]}"#
            )
        }
        let store = try SQLStore(path: TestDatabase.location(directory.file("c.db")))
        var options = IngestOptions()
        options.sourceRoot = checkout
        let first = try IngestPipeline(store: store).run(files: [try report(line: 2)], options: options).summary
        #expect(first.new == 1)
        try directory.write("checkout/src/app.py", "import os\n\n\nos.system(cmd)\n")
        let second = try IngestPipeline(store: store).run(files: [try report(line: 4)], options: options).summary
        #expect((second.new, second.seen) == (0, 1))
    }

    @Test func sourceLinesStayInsideTheRoot() throws {
        // A link inside the checkout that points outside it is not followed.
        try directory.write("secret.txt", "top secret\n")
        try directory.write("checkout/a.py", "x\n")
        try FileManager.default.createSymbolicLink(
            atPath: directory.file("checkout/link.py"), withDestinationPath: directory.file("secret.txt"))
        let store = try SQLStore(path: TestDatabase.location(directory.file("c.db")))
        var options = IngestOptions()
        options.sourceRoot = directory.file("checkout")
        func report(_ uri: String) throws -> String {
            try directory.write(
                "r.sarif",
                #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"S"}},"results":[{"ruleId":"x","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"\#(uri)"},"region":{"startLine":1}}}]}]}]}"#
            )
        }
        _ = try IngestPipeline(store: store).run(files: [try report("link.py")], options: options)
        _ = try IngestPipeline(store: store).run(files: [try report("a.py")], options: options)
        let bases = try store.findings(FindingQuery()).map(\.fingerprintBasis)
        #expect(bases == ["location", "content"])
    }

    @Test func codeownersFromACheckoutFollowsGithubPrecedence() throws {
        let checkout = directory.file("repo")
        try directory.write("repo/CODEOWNERS", "* @root-owner\n")
        try directory.write("repo/docs/CODEOWNERS", "* @docs-owner\n")
        try directory.write("repo/.github/CODEOWNERS", "* @org/github-owner\nbroken-line no-at\n")
        let store = try SQLStore(path: TestDatabase.location(directory.file("c.db")))
        try store.importOrganisation(
            Organisation(teams: [Team(id: "gh", name: "GH", handles: ["@org/github-owner"])]), source: "t", actor: "x")
        var options = IngestOptions()
        options.codeownersPath = checkout
        let report = try directory.write(
            "r.sarif",
            #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"S"}},"results":[{"ruleId":"x","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.py"}}}]}]}]}"#
        )
        let outcome = try IngestPipeline(store: store).run(files: [report], options: options)
        #expect(try store.findings(FindingQuery()).first?.ownerTeam == "gh")
        // The bad line of the chosen file is a warning with its line, not a failure.
        #expect(outcome.warnings.map(\.place) == ["line 2"])
        #expect(outcome.warnings.first?.file == checkout + "/.github/CODEOWNERS")

        try FileManager.default.removeItem(atPath: checkout + "/.github")
        try FileManager.default.removeItem(atPath: checkout + "/CODEOWNERS")
        try FileManager.default.removeItem(atPath: checkout + "/docs")
        #expect(throws: Diagnostic.self) { try IngestPipeline(store: store).run(files: [report], options: options) }
    }
}
