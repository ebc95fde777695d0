import CustodyCore
import Foundation
import Testing

struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ])
    func knownVectors(input: String, digest: String) {
        #expect(SHA256.hex(input) == digest)
    }

    @Test func millionAs() {
        var hasher = SHA256()
        for _ in 0..<1000 { hasher.update(String(repeating: "a", count: 1000)) }
        #expect(
            SHA256.hexString(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// RFC 4231 test cases 1, 2 and 6 (a key longer than a block is hashed first).
    @Test func hmacVectors() {
        func hmac(_ key: [UInt8], _ message: String) -> String {
            SHA256.hexString(SHA256.hmac(key: key, message: Array(message.utf8)))
        }
        #expect(
            hmac([UInt8](repeating: 0x0b, count: 20), "Hi There")
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(
            hmac(Array("Jefe".utf8), "what do ya want for nothing?")
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(
            hmac([UInt8](repeating: 0xaa, count: 131), "Test Using Larger Than Block-Size Key - Hash Key First")
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }
}

struct SeverityTests {
    @Test func scoreThresholds() {
        #expect(Severity(score: 9.0) == .critical)
        #expect(Severity(score: 8.9) == .high)
        #expect(Severity(score: 7.0) == .high)
        #expect(Severity(score: 6.9) == .medium)
        #expect(Severity(score: 4.0) == .medium)
        #expect(Severity(score: 3.9) == .low)
        #expect(Severity(score: 0.1) == .low)
        #expect(Severity(score: 0) == .info)
    }

    @Test func words() {
        #expect(Severity(word: "HIGH") == .high)
        #expect(Severity(word: "Critical") == .critical)
        #expect(Severity(word: "moderate") == .medium)
        #expect(Severity(word: "bogus") == nil)
        #expect(Severity(sarifLevel: "note") == .low)
        #expect(Severity(sarifLevel: "Error") == nil)
    }
}

struct FingerprintTests {
    let base = NormalizedFinding(
        tool: "Semgrep", ruleID: "sql", message: "SQL built by hand", severity: .high, path: "src/a.py", line: 10,
        snippet: "cursor.execute(q  %  x)")

    @Test func contentFingerprintSurvivesMovedLines() {
        var moved = base
        moved.line = 52
        moved.snippet = "  cursor.execute(q % x)  "  // re-indented: white space is folded
        let a = Fingerprint.compute(for: base, repository: "r")
        let b = Fingerprint.compute(for: moved, repository: "r")
        #expect(a.basis == .content)
        #expect(a.value == b.value)
        #expect(a.value.count == 32)
    }

    @Test func identityIncludesRepositoryPathRuleAndTool() {
        let a = Fingerprint.compute(for: base, repository: "r").value
        #expect(Fingerprint.compute(for: base, repository: "other").value != a)
        var other = base
        other.path = "src/b.py"
        #expect(Fingerprint.compute(for: other, repository: "r").value != a)
        other = base
        other.ruleID = "sql2"
        #expect(Fingerprint.compute(for: other, repository: "r").value != a)
        other = base
        other.tool = "semgrep"  // tool names compare without case
        #expect(Fingerprint.compute(for: other, repository: "r").value == a)
    }

    @Test func toolFingerprintWinsThenLocationIsTheLastResort() {
        var withTool = base
        withTool.toolFingerprints = ["primaryLocationLineHash": "abc:1"]
        #expect(Fingerprint.compute(for: withTool, repository: nil).basis == .tool)
        var bare = base
        bare.snippet = nil
        let located = Fingerprint.compute(for: bare, repository: nil)
        #expect(located.basis == .location)
        let fromSource = Fingerprint.compute(for: bare, repository: nil, sourceLine: "cursor.execute(q % x)")
        #expect(fromSource.basis == .content)
        #expect(fromSource.value == Fingerprint.compute(for: base, repository: nil).value)
    }

    @Test func occurrencesDisambiguate() {
        var counter = OccurrenceCounter()
        #expect(counter.disambiguate("f") == "f")
        #expect(counter.disambiguate("f") == "f:2")
        #expect(counter.disambiguate("g") == "g")
    }
}

struct RepositoryPathTests {
    @Test(arguments: [
        ("file:///C:/dev/src/a.c", "dev/src/a.c"),
        ("file://host/share/x.py", "share/x.py"),
        ("./src//a/../b.c", "src/b.c"),
        ("/abs/path.go", "abs/path.go"),
        ("src/with%20space.js", "src/with space.js"),
        ("..\\..\\win\\path.cs", "win/path.cs"),
        ("../../etc/passwd", "etc/passwd"),
    ])
    func normalize(raw: String, expected: String) {
        #expect(RepositoryPath.normalize(raw) == expected)
    }

    @Test func relative() {
        #expect(RepositoryPath.relative("home/ci/repo/src/a.c", to: "/home/ci/repo/") == "src/a.c")
        #expect(RepositoryPath.relative("src/a.c", to: "/elsewhere") == "src/a.c")
    }
}

struct JSONTextTests {
    @Test func escaping() {
        let value = JSONText.Value.object([
            ("s", "a\"b\\c\nd\u{1}\u{2028}é"), ("n", .null), ("i", 3), ("d", .double(2.5)), ("w", .double(7)),
            ("a", .strings(["x"])), ("b", .bool(true)),
        ])
        #expect(value.text == #"{"s":"a\"b\\c\nd\u0001\u2028é","n":null,"i":3,"d":2.5,"w":7.0,"a":["x"],"b":true}"#)
    }
}

struct TimestampTests {
    @Test func formats() {
        #expect(Timestamp.string(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.string(Date(timeIntervalSince1970: 1_795_000_000)) == "2026-11-18T11:06:40Z")
        #expect(Timestamp.string(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
        #expect(Timestamp.string(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
    }

    @Test func formatsAsFoundationDoesOverFourCenturies() {
        let reference = ISO8601DateFormatter()
        reference.formatOptions = [.withInternetDateTime]
        reference.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let date = Date(
                timeIntervalSince1970: Double(Int64.random(in: -2_208_988_800...10_413_792_000, using: &generator)))
            #expect(Timestamp.string(date) == reference.string(from: date))
        }
    }
}

struct OrganisationTests {
    @Test func validationFindsBrokenReferences() {
        let organisation = Organisation(
            units: [OrgUnit(id: "a", name: "A", parentID: "b"), OrgUnit(id: "b", name: "B", parentID: "a")],
            teams: [
                Team(id: "t", name: "T", unitID: "missing", handles: ["@x/t"]),
                Team(id: "u", name: "U", handles: ["@X/T"]),
            ])
        let messages = organisation.validate(file: "teams.yaml").map(\.message)
        #expect(messages.contains("unit 'a' is its own ancestor"))
        #expect(messages.contains("unknown unit 'missing'"))
        #expect(messages.contains("handle '@X/T' already belongs to team 't'"))
    }
}

struct SLAPolicyTests {
    let organisation = Organisation(
        units: [OrgUnit(id: "state", name: "State"), OrgUnit(id: "treasury", name: "Treasury", parentID: "state")],
        teams: [
            Team(id: "payments", name: "Payments", unitID: "treasury"), Team(id: "web", name: "Web", unitID: "state"),
        ])

    @Test func overridesFromTheTeamUpwards() {
        let policy = SLAPolicy(overrides: [
            SLAPolicy.Override(scope: .unit("state"), days: [.critical: 10, .high: 20]),
            SLAPolicy.Override(scope: .unit("treasury"), days: [.critical: 7]),
            SLAPolicy.Override(scope: .team("payments"), days: [.critical: 3]),
        ])
        let payments = organisation.teams[0]
        #expect(policy.allowedDays(.critical, team: payments, organisation: organisation) == 3)
        #expect(policy.allowedDays(.high, team: payments, organisation: organisation) == 20)  // from state
        #expect(policy.allowedDays(.medium, team: payments, organisation: organisation) == 90)  // default
        #expect(policy.allowedDays(.critical, team: organisation.teams[1], organisation: organisation) == 10)
        #expect(policy.allowedDays(.critical, team: nil, organisation: organisation) == 15)
        #expect(policy.allowedDays(.info, team: nil, organisation: organisation) == nil)
    }

    @Test func businessDaysSkipWeekends() {
        // Friday 2026-11-20 12:00 UTC + 1 business day = Monday 23rd; + 5 = Friday 27th.
        let friday = Date(timeIntervalSince1970: 1795176000)
        #expect(Timestamp.string(friday) == "2026-11-20T12:00:00Z")
        let one = SLAPolicy(days: [.low: 1], businessDays: true)
        #expect(
            one.dueDate(severity: .low, team: nil, organisation: organisation, start: friday) == "2026-11-23T12:00:00Z")
        let five = SLAPolicy(days: [.low: 5], businessDays: true)
        #expect(
            five.dueDate(severity: .low, team: nil, organisation: organisation, start: friday) == "2026-11-27T12:00:00Z"
        )
        let calendar = SLAPolicy(days: [.low: 5])
        #expect(
            calendar.dueDate(severity: .low, team: nil, organisation: organisation, start: friday)
                == "2026-11-25T12:00:00Z")
    }

    @Test func assetCriticalityShortensButNeverLengthens() {
        let policy = SLAPolicy(overrides: [
            SLAPolicy.Override(scope: .team("payments"), days: [.high: 20, .medium: 10]),
            SLAPolicy.Override(scope: .criticality(.critical), days: [.high: 7, .medium: 60]),
        ])
        let payments = organisation.teams[0]
        #expect(policy.allowedDays(.high, team: payments, organisation: organisation, criticality: .critical) == 7)
        // The team's 10 days are shorter than the criticality's 60: the shorter wins.
        #expect(policy.allowedDays(.medium, team: payments, organisation: organisation, criticality: .critical) == 10)
        #expect(policy.allowedDays(.high, team: payments, organisation: organisation, criticality: .high) == 20)
        #expect(policy.allowedDays(.high, team: nil, organisation: organisation, criticality: .critical) == 7)
        let rules = [
            CriticalityRule(pattern: "portal/pay*", level: .critical), CriticalityRule(pattern: "*", level: .low),
        ]
        #expect(CriticalityRule.level(of: "portal/payments", in: rules) == .critical)
        #expect(CriticalityRule.level(of: "docs", in: rules) == .low)
        #expect(CriticalityRule.level(of: nil, in: rules) == nil)
    }

    @Test func knownExploitedIsDueAtCISAsDateOrFourteenDaysWhicheverIsFirst() {
        let start = Timestamp.date("2026-11-02T09:00:00Z")!
        let policy = SLAPolicy()
        func due(_ entry: KEVEntry, severity: Severity = .low) -> String? {
            policy.dueDate(severity: severity, team: nil, organisation: organisation, start: start, kev: [entry])
        }
        // Added before the finding was seen, CISA due in three weeks: 14 days from first seen.
        #expect(
            due(KEVEntry(cve: "CVE-2026-0001", dateAdded: "2026-10-30", dueDate: "2026-11-20"))
                == "2026-11-16T09:00:00Z")
        // CISA's date comes first: the end of that day.
        #expect(
            due(KEVEntry(cve: "CVE-2026-0002", dateAdded: "2026-10-30", dueDate: "2026-11-05"))
                == "2026-11-05T23:59:59Z")
        // Added after the finding was seen: 14 days from the addition.
        #expect(due(KEVEntry(cve: "CVE-2026-0003", dateAdded: "2026-11-10")) == "2026-11-24T00:00:00Z")
        // Never later than the severity allows (critical: 15 days from first seen... 14 is sooner).
        let strict = SLAPolicy(days: [.critical: 3])
        #expect(
            strict.dueDate(
                severity: .critical, team: nil, organisation: organisation, start: start,
                kev: [KEVEntry(cve: "CVE-2026-0001", dateAdded: "2026-10-30")]) == "2026-11-05T09:00:00Z")
        // Informational findings have no SLA but a KEV one still gets the KEV date.
        #expect(due(KEVEntry(cve: "CVE-2026-0004", dateAdded: "2026-11-01"), severity: .info) == "2026-11-16T09:00:00Z")
    }

}

struct TimestampBytesTests {
    /// The byte reader of stored timestamps agrees with the String one on the stored form
    /// (leap days, the turn of centuries, 1970 itself) and falls back to it for other forms.
    @Test func storedTimestampsReadFromBytesAgreeWithTheStringReader() {
        var texts = [
            "1970-01-01T00:00:00Z", "2000-02-29T23:59:59Z", "2024-02-29T12:00:00Z", "2100-03-01T00:00:01Z",
            "2026-12-02T06:48:27Z", "2026-12-02", "2026-12-02T06:48:27+02:00",
        ]
        var seconds = 86_400.0 * 365 * 30
        while seconds < 86_400.0 * 365 * 80 {
            texts.append(Timestamp.string(Date(timeIntervalSince1970: seconds)))
            seconds += 86_400 * 17.37
        }
        for text in texts {
            let fromBytes = Array(text.utf8).withUnsafeBufferPointer { Timestamp.seconds(utf8: $0) }
            #expect(fromBytes == Timestamp.date(text)?.timeIntervalSince1970, "\(text)")
        }
        #expect(Array("yesterday".utf8).withUnsafeBufferPointer { Timestamp.seconds(utf8: $0) } == nil)
    }
}
