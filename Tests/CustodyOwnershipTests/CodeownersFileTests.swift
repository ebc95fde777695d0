import CustodyCore
import CustodyJSON
import CustodyOwnership
import CustodyTestSupport
import Foundation
import Testing

struct CodeownersFileTests {
    @Test func lastMatchWinsAndEmptyOwnersUnset() {
        let file = Codeowners(
            text: """
                # comment
                *            @org/everyone
                *.js         @js-owner
                /apps/       @octocat
                /apps/github
                docs/*       docs@example.com   # trailing comment
                """)
        #expect(file.diagnostics.isEmpty)
        #expect(file.match("README.md")?.owners.map(\.handle) == ["@org/everyone"])
        #expect(file.match("src/index.js")?.owners.map(\.handle) == ["@js-owner"])
        #expect(file.match("apps/web/index.js")?.owners.map(\.handle) == ["@octocat"])
        let unset = file.match("apps/github/index.js")
        #expect(unset?.owners == [])
        #expect(unset?.line == 5)
        #expect(file.match("docs/a.md")?.owners.map(\.kind) == [.email])
        #expect(file.match("docs/a.md")?.line == 6)
    }

    @Test func invalidLinesAreReportedAndSkipped() {
        let file = Codeowners(
            text: """
                *.go @gophers
                src/ missing-at-sign
                lib/ @ok @bad/team/extra
                tests/ @qa
                """, file: "CODEOWNERS")
        #expect(file.rules.map(\.line) == [1, 4])
        #expect(file.diagnostics.map(\.place) == ["line 2", "line 3"])
        #expect(file.diagnostics[0].message.contains("invalid owner 'missing-at-sign'"))
        #expect(file.diagnostics[0].description.hasPrefix("CODEOWNERS: line 2: error:"))
        // The skipped line does not take ownership: the earlier rule or none decides.
        #expect(file.match("src/main.go")?.owners.map(\.handle) == ["@gophers"])
    }

    @Test func ownerForms() {
        #expect(Codeowners.Owner("@user")?.kind == .user)
        #expect(Codeowners.Owner("@org/team-name")?.kind == .team)
        #expect(Codeowners.Owner("first.last@example.gov")?.kind == .email)
        #expect(Codeowners.Owner("user") == nil)
        #expect(Codeowners.Owner("@") == nil)
        #expect(Codeowners.Owner("@a/b/c") == nil)
        #expect(Codeowners.Owner("a@b") == nil)
    }

    @Test func locationPrecedence() {
        #expect(Codeowners.githubLocation(among: ["CODEOWNERS", ".github/CODEOWNERS"]) == ".github/CODEOWNERS")
        #expect(Codeowners.githubLocation(among: ["docs/CODEOWNERS", "CODEOWNERS"]) == "CODEOWNERS")
        #expect(Codeowners.githubLocation(among: ["docs/CODEOWNERS"]) == "docs/CODEOWNERS")
        #expect(Codeowners.githubLocation(among: ["README.md"]) == nil)
    }

    @Test func indexAgreesWithALinearScan() {
        // The rule index must give exactly what trying every rule from the last one back gives.
        let text = """
            * @all
            /services/ @svc
            /services/pay/ @pay
            /services/pay/*.py @py
            **/test/ @qa
            *.md @docs
            docs/** @docs2
            /services/*/src/ @src
            src/ @anysrc
            /services/pay/legacy
            f?o.c @fq
            [Mm]akefile @make
            """
        let file = Codeowners(text: text)
        let patterns = file.rules.map(\.pattern)
        let paths = [
            "a.md", "services/pay/a.py", "services/pay/x/a.py", "services/pay/legacy/old.c", "x/test/y.go",
            "docs/a/b.txt", "services/id/src/m.go", "lib/src/a.c", "foo.c", "dir/Makefile", "services/pay/README.md",
            "services", "other/x",
        ]
        for path in paths {
            let linear = patterns.lastIndex { $0.matches(path) }.map { file.rules[$0].line }
            #expect(file.match(path)?.line == linear, "\(path)")
        }
    }
}

extension CodeownersFileTests {
    @Test(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
    func indexAgreesWithALinearScanOnRealFiles() throws {
        // Every rule of three real files, against paths built from their own patterns' words.
        for name in ["cpython.CODEOWNERS", "nodejs-node.CODEOWNERS", "aquasecurity-trivy.CODEOWNERS"] {
            let file = Codeowners(
                text: try String(contentsOfFile: Corpora.path("codeowners/real/" + name), encoding: .utf8))
            let words = Set(
                file.rules.flatMap {
                    $0.pattern.text.split(whereSeparator: { "/*?[]!\\".contains($0) }).map(String.init)
                }
            )
            .sorted()
            var paths: [String] = []
            for (i, word) in words.enumerated() {
                paths.append(word)
                paths.append("\(words[(i * 7) % words.count])/\(word)")
                paths.append("\(word)/\(words[(i * 13) % words.count])/x.\(["py", "js", "md", "c"][i % 4])")
            }
            for path in paths {
                let linear = file.rules.lastIndex { $0.pattern.matches(path) }.map { file.rules[$0].line }
                #expect(file.match(path)?.line == linear, "\(name): \(path)")
            }
        }
    }
}

@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct CodeownersCorpusTests {
    func ownerHandles(_ value: JSONValue) -> [String] {
        Array(value.array!).map { pair in
            if let text = pair.string { return text }
            return Array(pair.array!)[1].string!
        }
    }

    @Test func githubWholeFileCases() throws {
        let document = try JSONDocument(contentsOfFile: Corpora.path("codeowners/file_cases.json"))
        for block in ["sbdchd_github_example", "github_docs_unset"] {
            let entry = try #require(document.root.member(block))
            let file = Codeowners(text: entry["codeowners"]!.string!)
            for testCase in entry["cases"]!.array! {
                let path = testCase["path"]!.string!
                let expected = ownerHandles(testCase["owners"]!)
                #expect(file.match(path)?.owners.map(\.handle) ?? [] == expected, "\(block): \(path)")
            }
        }
    }

    @Test func hmarrRuleParsing() throws {
        let document = try JSONDocument(contentsOfFile: Corpora.path("codeowners/file_cases.json"))
        for testCase in document.root["hmarr_parse_rule"]!["cases"]!.array! {
            let rule = testCase["rule"]!.string!
            let file = Codeowners(text: rule)
            if testCase["error"] != nil {
                // "" is an empty line to a whole-file reader (no rule, no error). The '{' and '['
                // rows are hmarr's own refusals; GitHub's matcher follows gitignore, which reads
                // '[cC]' as a class and '{' as a character (cases.json rows), so they parse here.
                if rule.contains("missing-at-sign") {
                    #expect(file.diagnostics.count == 1)
                    #expect(file.rules.isEmpty)
                } else {
                    #expect(file.diagnostics.isEmpty)
                }
                continue
            }
            #expect(file.diagnostics.isEmpty, "\(rule)")
            let parsed = try #require(file.rules.first, "\(rule)")
            #expect(parsed.pattern.text == testCase["pattern"]!.string!)
            let owners = testCase["owners"]!.isNull ? [] : Array(testCase["owners"]!.array!).map { Array($0.array!) }
            let expected = owners.map { pair -> String in
                let kind = pair[0].string!
                let name = pair[1].string!
                return kind == "email" ? name : "@" + name
            }
            #expect(parsed.owners.map(\.handle) == expected, "\(rule)")
        }
    }

    @Test func githubFileLocations() throws {
        let document = try JSONDocument(contentsOfFile: Corpora.path("codeowners/file_cases.json"))
        for testCase in document.root["hmarr_file_location"]!["cases"]!.array! {
            let present = Array(testCase["present"]!.array!).map { $0.string! }
            let chosen = testCase["chosen"]!.string
            // Rows whose choice is GitLab's (no GitHub location present) belong to the GitLab dialect.
            if present.allSatisfy({ !Codeowners.githubLocations.contains($0) }) { continue }
            if let note = testCase["note"]?.string, note.hasPrefix("GitLab") { continue }
            #expect(Codeowners.githubLocation(among: present) == chosen, "\(present)")
        }
    }

    @Test(arguments: ["cpython.CODEOWNERS", "nodejs-node.CODEOWNERS", "aquasecurity-trivy.CODEOWNERS"])
    func realGithubFilesParseCleanly(name: String) throws {
        let text = try String(contentsOfFile: Corpora.path("codeowners/real/" + name), encoding: .utf8)
        let file = Codeowners(text: text, file: name)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        #expect(file.rules.count > 5)
    }

    @Test func cpythonSpotChecks() throws {
        let text = try String(contentsOfFile: Corpora.path("codeowners/real/cpython.CODEOWNERS"), encoding: .utf8)
        let file = Codeowners(text: text)
        // Lines read off the file: the email package and the ssl module.
        let email = try #require(file.match("Lib/email/message.py"))
        #expect(email.owners.map(\.handle).contains("@python/email-team"))
        let docs = try #require(file.match("Doc/library/email.rst"))
        #expect(!docs.owners.isEmpty)
    }
}
