import CustodyCLI
import CustodyCore
import CustodyIngest
import CustodyService
import CustodyStore
import CustodyTestSupport
import Foundation
import Testing

struct FeedTests {
    /// A report with one result per CVE (none for nil), rule tags carrying the CVE ids.
    func report(_ cves: [String?]) -> String {
        let results = cves.enumerated().map { index, cve in
            let tags = cve.map { #""properties":{"tags":["security","\#($0)"]},"# } ?? ""
            return
                #"{"ruleId":"R\#(index)","level":"warning","message":{"text":"vulnerable \#(index)"},\#(tags)"locations":[{"physicalLocation":{"artifactLocation":{"uri":"pay/lib\#(index).py"},"region":{"startLine":3,"snippet":{"text":"import x\#(index)"}}}}]}"#
        }
        return
            #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Scanner"}},"results":[\#(results.joined(separator: ","))]}]}"#
    }

    func catalog(_ entries: [(cve: String, added: String, due: String)], version: String = "2026.11.20") -> String {
        let items = entries.map {
            #"{"cveID":"\#($0.cve)","vendorProject":"Apache","product":"Log4j2","vulnerabilityName":"Log4j2 RCE","dateAdded":"\#($0.added)","shortDescription":"x","requiredAction":"Apply updates","dueDate":"\#($0.due)","knownRansomwareCampaignUse":"Known","notes":"","cwes":["CWE-502"]}"#
        }
        return
            #"{"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"\#(version)","dateReleased":"2026-11-20T12:00:00.000Z","count":\#(entries.count),"vulnerabilities":[\#(items.joined(separator: ","))]}"#
    }

    func show(_ session: Session, _ id: Int) throws -> (due: String?, kev: String?, firstSeen: Date) {
        let row = try session.json(session.run("findings", "show", String(id), "--json").out)
        return (
            row["due_at"]?.string, row["kev_added"]?.string,
            ISO8601DateFormatter().date(from: row["first_seen"]!.string!)!
        )
    }

    @Test func kevImportMarksFindingsMovesDueDatesAndLaterIngestsMarkAtOnce() throws {
        let session = Session()
        let config = try session.write(
            "custody.yaml",
            """
            assets:
              - repository: "portal-*"
                criticality: critical
            sla:
              overrides:
                - criticality: critical
                  days: {medium: 20}
            """)
        let first = try session.write("a.sarif", report(["CVE-2021-44228", "CVE-2020-0001", nil]))
        #expect(session.run("ingest", "--config", config, "--repo", "portal-web", first).status == 0)
        #expect(session.run("ingest", "--config", config, "--repo", "docs", first).status == 0)
        // Medium ("warning") findings: 20 days on the critical portal, the default 90 elsewhere.
        var finding = try show(session, 1)
        #expect(finding.due == Timestamp.string(finding.firstSeen.addingTimeInterval(20 * 86_400)))
        // (Each from its own first sighting: the two ingests may fall in different seconds.)
        let docs = try show(session, 4)
        #expect(docs.due == Timestamp.string(docs.firstSeen.addingTimeInterval(90 * 86_400)))
        #expect(finding.kev == nil)

        // CISA lists log4shell, due far in the future: 14 days after first seen wins.
        let kev = try session.write(
            "kev.json",
            catalog([("CVE-2021-44228", "2021-12-10", "2099-12-24"), ("CVE-1999-0001", "2022-01-01", "2022-01-15")]))
        var result = session.run("feeds", "import", "kev", "--config", config, kev, "--json")
        #expect(result.status == 0)
        let summary = try session.json(result.out)
        #expect(summary["entries"]?.int == 2)
        #expect(summary["new_entries"]?.int == 2)
        #expect(summary["findings"]?.int == 2)  // finding 1 (portal-web) and 4 (docs)
        #expect(summary["due_changed"]?.int == 2)
        finding = try show(session, 1)
        #expect(finding.kev == "2021-12-10")
        #expect(finding.due == Timestamp.string(finding.firstSeen.addingTimeInterval(14 * 86_400)))
        #expect(try show(session, 2).kev == nil)
        let store = try SQLStore(path: session.database)
        let event = try #require(try store.events(findingID: 4).last)
        #expect(event.kind == .kevAdded)
        #expect(event.payload.contains(#""cves":["CVE-2021-44228"]"#))
        #expect(event.payload.contains(#""ransomware":"Known""#))
        #expect(session.run("trace", "4").out.contains("known exploited: in CISA's KEV since 2021-12-10; due"))
        // Importing the same catalog again marks nothing new and writes no event.
        let eventsBefore = try store.events(findingID: nil).count
        result = session.run("feeds", "import", "kev", kev)
        #expect(result.out.contains("2 entries (0 new); 0 findings newly known exploited"))
        #expect(try store.events(findingID: nil).count == eventsBefore)

        // A later ingest marks its KEV findings at once; sla apply keeps the KEV date.
        let second = try session.write("b.sarif", report(["CVE-2021-44228"]))
        #expect(session.run("ingest", "--config", config, "--repo", "portal-api", second).status == 0)
        let later = try show(session, 7)
        #expect(later.kev == "2021-12-10")
        #expect(later.due == Timestamp.string(later.firstSeen.addingTimeInterval(14 * 86_400)))
        #expect(session.run("sla", "apply", "--config", config).out == "0 due dates changed\n")
        #expect(session.run("findings", "show", "7").out.contains("exploited:  in CISA's KEV catalog since 2021-12-10"))
        #expect(try store.verifyLedger().broken == nil)
    }

    @Test func badCatalogsNameTheJSONPathAndChangeNothing() throws {
        let session = Session()
        let bad = try session.write(
            "kev.json",
            catalog([("CVE-2021-44228", "2021-12-10", "2021-12-24"), ("CVE-21-1", "2021-12-10", "2021-12-24")]))
        var result = session.run("feeds", "import", "kev", bad)
        #expect(result.status == ServiceError.Kind.invalidInput.exitStatus)
        #expect(result.err.contains("kev.json: $.vulnerabilities[1].cveID: error: 'CVE-21-1' is not a CVE id"))
        let date = try session.write("date.json", catalog([("CVE-2021-44228", "12/10/2021", "2021-12-24")]))
        result = session.run("feeds", "import", "kev", date)
        #expect(result.err.contains("$.vulnerabilities[0].dateAdded: error: '12/10/2021' is not a date (YYYY-MM-DD)"))
        // An empty required date is missing (it once crashed the reader: a forced unwrap).
        let empty = try session.write("empty.json", catalog([("CVE-2021-44228", "", "2021-12-24")]))
        result = session.run("feeds", "import", "kev", empty)
        #expect(result.status == ServiceError.Kind.invalidInput.exitStatus)
        #expect(result.err.contains("$.vulnerabilities[0].dateAdded: error: missing"))
        let typed = try session.write(
            "typed.json", #"{"catalogVersion": "1", "vulnerabilities": [{"cveID": 44228, "dateAdded": "2021-12-10"}]}"#)
        #expect(
            session.run("feeds", "import", "kev", typed).err.contains(
                "$.vulnerabilities[0].cveID: error: expected a string, found integer"))
        let notKEV = try session.write("sarif.json", report([nil]))
        result = session.run("feeds", "import", "kev", notKEV)
        #expect(result.err.contains("$.vulnerabilities: error: missing or not an array"))
        let truncated = try session.write(
            "cut.json", String(catalog([("CVE-2021-44228", "2021-12-10", "2021-12-24")]).dropLast(9)))
        result = session.run("feeds", "import", "kev", truncated)
        #expect(result.status == ServiceError.Kind.invalidInput.exitStatus)
        #expect(result.err.contains("not valid JSON"))
        #expect(try SQLStore(path: session.database).kevCatalog().isEmpty)
        let config = try session.write("c.yaml", "assets:\n  - repository: x\n    criticality: vital\n")
        result = session.run("sla", "apply", "--config", config)
        #expect(result.err.contains("c.yaml: line 3: error: criticality must be one of critical, high, medium, low"))
    }

    @Test(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
    func theRealCatalogExcerptImports() throws {
        let catalog = try KEVReader.read(
            file: Corpora.path("prioritization/kev/known_exploited_vulnerabilities.EXCERPT.json"))
        #expect(catalog.version == "2025.02.25")
        #expect(catalog.entries.count == 3)
        #expect(catalog.entries[0].cve == "CVE-2023-34192")
        #expect(catalog.entries[0].dateAdded == "2025-02-25")
        #expect(catalog.entries[0].dueDate == "2025-03-18")
        #expect(catalog.entries[0].vendor == "Synacor")
        let session = Session()
        let result = session.run(
            "feeds", "import", "kev", Corpora.path("prioritization/kev/known_exploited_vulnerabilities.EXCERPT.json"))
        #expect(result.status == 0)
        #expect(result.out.contains("KEV catalog 2025.02.25: 3 entries (3 new)"))
    }
}
