import CustodyOwnership
import Foundation

/// The demo's git repository, `gov-portal`: a year of history by several teams, two
/// reorganisations of CODEOWNERS and four releases, so introducers and ownership history show.
enum DemoRepository {
    struct Author {
        var name: String
        var email: String
    }

    static let authors: [String: Author] = [
        "payments": Author(name: "Bob Marsh", email: "bob.marsh@treasury.example.gov"),
        "identity": Author(name: "Ana Silva", email: "ana.silva@treasury.example.gov"),
        "web": Author(name: "Kim Park", email: "kim.park@example.gov"),
        "platform": Author(name: "Raj Iyer", email: "raj.iyer@example.gov"),
        "records": Author(name: "Mo Haddad", email: "mo.haddad@health.example.gov"),
        "data": Author(name: "Jo Novak", email: "jo.novak@health.example.gov"),
        "contractor": Author(name: "Casey Contractor", email: "casey@vendor.example.com"),
    ]

    /// CODEOWNERS before the first reorganisation: Data and Analytics held the records service,
    /// and Platform the legacy batch jobs.
    static let codeownersV1 = """
        # gov-portal CODEOWNERS (2025): the last matching line wins.
        /services/payments/        @example-gov/payments
        /services/identity/        @example-gov/identity @asilva
        /services/records/         @example-gov/data
        /web/                      @example-gov/web
        /infra/                    @example-gov/platform
        /pipelines/                data-team@health.example.gov
        /legacy/                   @example-gov/platform
        *.tf                       @example-gov/platform
        """

    /// April 2026: Health Records takes its service over from Data and Analytics.
    static let codeownersV2 = codeownersV1.replacingOccurrences(
        of: "/services/records/         @example-gov/data", with: "/services/records/         @example-gov/records"
    ).replacingOccurrences(of: "(2025)", with: "(April 2026 reorganisation)")

    /// What each flagged file's introducing commit looks like: who, when, and which findings it carries.
    struct Introduction {
        var path: String
        var team: String
        var date: String
    }

    static let introductions: [Introduction] = [
        Introduction(path: "legacy/batch/nightly_export.py", team: "platform", date: "2025-12-02T10:00:00Z"),
        Introduction(path: "services/payments/ledger/query.py", team: "payments", date: "2025-12-09T14:30:00Z"),
        Introduction(path: "services/identity/sync/ldap_sync.py", team: "identity", date: "2026-01-08T09:15:00Z"),
        Introduction(path: "web/vendor/jquery-ui/widget.js", team: "contractor", date: "2026-01-12T16:00:00Z"),
        Introduction(path: "services/payments/refunds/api.py", team: "payments", date: "2026-02-03T11:00:00Z"),
        Introduction(path: "services/records/patients/search.py", team: "data", date: "2026-02-17T13:45:00Z"),
        Introduction(path: "infra/storage/buckets.tf", team: "platform", date: "2026-03-02T08:30:00Z"),
        Introduction(path: "web/src/components/Banner.js", team: "web", date: "2026-03-11T15:20:00Z"),
        Introduction(path: "services/records/files/download.py", team: "records", date: "2026-05-06T10:10:00Z"),
        Introduction(path: "services/identity/config/settings.py", team: "identity", date: "2026-05-19T12:00:00Z"),
        Introduction(path: "pipelines/etl/fetch_claims.py", team: "data", date: "2026-06-23T09:40:00Z"),
        Introduction(path: "web/src/pages/Search.js", team: "web", date: "2026-07-14T17:05:00Z"),
        Introduction(path: "services/identity/tokens/sign.py", team: "identity", date: "2026-08-20T11:30:00Z"),
        Introduction(path: "tools/dev/seed.py", team: "contractor", date: "2026-09-01T10:00:00Z"),
    ]

    /// Manifests and lock files, each version a commit: who pinned which version, when.
    static let dependencies: [(path: String, team: String, date: String, message: String, text: String)] = [
        (
            "services/payments/requirements.txt", "payments", "2026-02-10T10:00:00Z", "Payments API dependencies",
            "django==4.2.1\nrequests==2.28.0\nPyYAML==5.3.1\n"
        ),
        (
            "web/package-lock.json", "web", "2026-03-12T09:00:00Z", "Web: lock npm dependencies",
            #"{"name": "gov-portal-web", "lockfileVersion": 3, "packages": {"": {"name": "gov-portal-web"}, "node_modules/lodash": {"version": "4.17.20"}, "node_modules/jquery": {"version": "3.4.1"}}}"#
                + "\n"
        ),
        (
            "services/records/pom.xml", "records", "2026-05-07T10:00:00Z", "Records: search indexer dependencies",
            "<project>\n  <dependencies>\n    <dependency>\n      <groupId>org.apache.logging.log4j</groupId>\n      <artifactId>log4j-core</artifactId>\n      <version>2.14.1</version>\n    </dependency>\n  </dependencies>\n</project>\n"
        ),
        (
            "services/payments/requirements.txt", "payments", "2026-07-01T10:00:00Z", "Payments: bump requests",
            "django==4.2.1\nrequests==2.31.0\nPyYAML==5.3.1\n"
        ),
    ]

    static let releases: [(tag: String, date: String)] = [
        ("v1.0", "2026-01-15T12:00:00Z"), ("v1.1", "2026-03-20T12:00:00Z"), ("v2.0", "2026-06-10T12:00:00Z"),
        ("v2.1", "2026-09-15T12:00:00Z"),
    ]

    /// A file whose flagged lines hold the reports' snippets at the reports' line numbers.
    static func content(path: String, findings: [DemoSample.Result], extraHeader: Int = 0) -> String {
        var lines: [String] = []
        let comment = path.hasSuffix(".js") ? "//" : "#"
        let flagged = Dictionary(findings.map { ($0.line, $0.snippet) }, uniquingKeysWith: { a, _ in a })
        let last = (flagged.keys.max() ?? 1) + 3
        for number in 1...last {
            if let snippet = flagged[number] {
                lines.append(snippet)
            } else {
                lines.append("\(comment) \(path): line \(number)")
            }
        }
        if extraHeader > 0 {
            let header = (1...extraHeader).map { "\(comment) added in October: context line \($0)" }
            lines.insert(contentsOf: header, at: 1)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the repository at `directory`; returns the commits the two weekly scans ran at.
    static func write(to directory: String) throws -> (week1: String, week2: String) {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let git = Git(directory: directory)
        try git.run(["init", "-q", "-b", "main"])
        let week1Findings = DemoSample.week1 + DemoSample.codeqlWeek1
        func write(_ path: String, _ text: String) throws {
            let target = directory + "/" + path
            try FileManager.default.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: target, atomically: true, encoding: .utf8)
        }
        func commit(_ message: String, by author: Author, at date: String) throws -> String {
            try git.run(["add", "-A"])
            let environment = [
                "GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email, "GIT_AUTHOR_DATE": date,
                "GIT_COMMITTER_NAME": author.name, "GIT_COMMITTER_EMAIL": author.email, "GIT_COMMITTER_DATE": date,
            ]
            try git.run(["commit", "-q", "--allow-empty", "-m", message], environment: environment)
            return try git.run(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let admin = Author(name: "Rosa Admin", email: "rosa.admin@example.gov")
        try write("README.md", "# gov-portal\n\nThe State of Example's citizen portal and its services.\n")
        try write("CODEOWNERS", codeownersV1 + "\n")
        _ = try commit("Initial import", by: admin, at: "2025-11-20T09:00:00Z")

        var events: [(date: String, action: () throws -> Void)] = []
        for introduction in introductions {
            events.append(
                (
                    introduction.date,
                    {
                        let findings = week1Findings.filter { $0.path == introduction.path }
                        try write(introduction.path, content(path: introduction.path, findings: findings))
                        _ = try commit(
                            "Add \(introduction.path)", by: authors[introduction.team]!, at: introduction.date)
                    }
                ))
        }
        for release in releases {
            events.append(
                (
                    release.date,
                    {
                        try git.run(
                            ["tag", "-a", release.tag, "-m", "Release \(release.tag)"],
                            environment: [
                                "GIT_COMMITTER_NAME": admin.name, "GIT_COMMITTER_EMAIL": admin.email,
                                "GIT_COMMITTER_DATE": release.date,
                            ])
                    }
                ))
        }
        events.append(
            (
                "2026-04-01T09:00:00Z",
                {
                    try write("CODEOWNERS", codeownersV2 + "\n")
                    _ = try commit(
                        "Reorganisation: Health Records owns its service", by: admin, at: "2026-04-01T09:00:00Z")
                }
            ))
        events.append(
            (
                "2026-08-03T09:00:00Z",
                {
                    try write("CODEOWNERS", DemoSample.codeowners + "\n")
                    _ = try commit(
                        "Reorganisation: batch jobs move to the batch-jobs team; vendored code has no owner",
                        by: admin, at: "2026-08-03T09:00:00Z")
                }
            ))
        // Dependencies: lock files whose vulnerable versions the dependency scanners report.
        for dependency in dependencies {
            events.append(
                (
                    dependency.date,
                    {
                        try write(dependency.path, dependency.text)
                        _ = try commit(dependency.message, by: authors[dependency.team]!, at: dependency.date)
                    }
                ))
        }
        for (_, action) in events.sorted(by: { $0.date < $1.date }) { try action() }
        let week1 = try commit("Sprint 41", by: admin, at: "2026-10-01T09:00:00Z")

        // Week 2: two fixes, a new finding, five lines added above the ledger query.
        try write(
            "services/payments/refunds/api.py",
            content(path: "services/payments/refunds/api.py", findings: [])
                + "db.execute(\"DELETE FROM refunds WHERE ref = %s\", (ref,))\n")
        try write(
            "services/identity/config/settings.py",
            content(path: "services/identity/config/settings.py", findings: [])
                + "CLIENT_SECRET = os.environ[\"CLIENT_SECRET\"]\n")
        let ledger = week1Findings.filter { $0.path == "services/payments/ledger/query.py" }
        try write(
            "services/payments/ledger/query.py",
            content(path: "services/payments/ledger/query.py", findings: ledger, extraHeader: 5))
        let export = DemoSample.week2.filter { $0.path == "services/payments/ledger/export.py" }
        try write(
            "services/payments/ledger/export.py", content(path: "services/payments/ledger/export.py", findings: export))
        let week2 = try commit(
            "Fix refunds SQL and the identity secret; add ledger export", by: authors["payments"]!,
            at: "2026-10-08T09:00:00Z")
        try git.run(["branch", "week1", week1])
        return (week1, week2)
    }
}
