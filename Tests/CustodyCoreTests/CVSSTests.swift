import CustodyCore
import CustodyTestSupport
import Foundation
import Testing

/// Every vector of the Red Hat cvss test files (../shared/corpora/prioritization/cvss) gives the
/// expected scores.
@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct CVSSCorpusTests {
    /// Lines "VECTOR - (base, temporal, environmental)" or "VECTOR - (base,)" or "VECTOR - base".
    func cases(_ file: String) throws -> [(vector: String, expected: [Double])] {
        let text = try String(contentsOfFile: Corpora.path("prioritization/cvss/" + file), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: " - ") else { return nil }
            let numbers = line[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "() "))
                .split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            return (String(line[..<range.lowerBound]), numbers)
        }
    }

    @Test(arguments: ["vectors_simple3", "vectors_simple31", "vectors_calculator3", "vectors_cvsslib3"])
    func version3(file: String) throws {
        let all = try cases(file)
        #expect(all.count > 1)
        var wrong: [String] = []
        for (vector, expected) in all {
            let score = try CVSS.score(vector)
            let got = [score.base, score.temporal ?? -1, score.environmental ?? -1]
            if got != expected { wrong.append("\(vector): \(got) expected \(expected)") }
        }
        #expect(wrong.isEmpty, "\(wrong.count) of \(all.count): \(wrong.prefix(5))")
    }

    @Test(arguments: [
        "vectors_simple4", "vectors_security4", "vectors_supplemental4", "vectors_threat4",
    ])
    func version4(file: String) throws {
        let all = try cases(file)
        #expect(all.count > 1)
        var wrong: [String] = []
        for (vector, expected) in all {
            let score = try CVSS.score(vector)
            if score.base != expected[0] { wrong.append("\(vector): \(score.base) expected \(expected[0])") }
        }
        #expect(wrong.isEmpty, "\(wrong.count) of \(all.count): \(wrong.prefix(5))")
    }
}

struct CVSSTests {
    @Test func invalidVectorsNameTheBadMetric() {
        func message(_ vector: String) -> String {
            do {
                _ = try CVSS.score(vector)
                return "accepted"
            } catch { return "\(error)" }
        }
        #expect(
            message("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
                == "metric AV has no value 'X' (allowed: N, A, L, P)")
        #expect(message("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H") == "missing mandatory metric A")
        #expect(message("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:L") == "metric A is given twice")
        #expect(
            message("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/XX:1") == "unknown metric 'XX'")
        #expect(message("CVSS:2.0/AV:N").hasPrefix("not a CVSS v3.0, v3.1 or v4.0 vector"))
        #expect(message("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/") == "'' is not METRIC:VALUE")
    }

    @Test func wellKnownScores() throws {
        // Log4Shell (NVD): 10.0 critical; a CVSS 4.0 example from the specification's calculator.
        #expect(try CVSS.score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H").base == 10.0)
        #expect(try CVSS.score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N").base == 6.1)
        #expect(try CVSS.score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N").base == 9.3)
        #expect(try CVSS.score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N").severity == .critical)
    }
}
