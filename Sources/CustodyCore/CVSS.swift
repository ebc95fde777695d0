import Foundation

/// A CVSS score: the base score, and for v3 the temporal and environmental scores.
public struct CVSSScore: Sendable, Equatable {
    /// "3.0", "3.1" or "4.0".
    public var version: String
    public var base: Double
    /// v3 only: with the temporal (E, RL, RC) and environmental metrics the vector gives
    /// (all "not defined" when it gives none, so they equal the base score then).
    public var temporal: Double?
    public var environmental: Double?

    /// The qualitative rating of the base score (None 0, Low < 4, Medium < 7, High < 9, Critical).
    public var severity: Severity { Severity(score: base) }
}

/// A vector that is not valid CVSS: which metric (or part) is wrong and why.
public struct CVSSError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// CVSS v3.0, v3.1 (base, temporal, environmental) and v4.0 (CVSS-B, -BT, -BE, -BTE) scores from
/// vector strings, as the FIRST specifications define them (docs/prioritization.md).
public enum CVSS {
    public static func score(_ vector: String) throws -> CVSSScore {
        let given = try metrics(of: vector)
        return vector.hasPrefix("CVSS:4.0/") ? try V4.score(given) : try V3.score(given, vector: vector)
    }

    /// The metrics a vector gives (`["AV": "N", ...]`), each checked against its version's values.
    public static func metrics(of vector: String) throws -> [String: String] {
        if vector.hasPrefix("CVSS:3.0/") || vector.hasPrefix("CVSS:3.1/") {
            return try metrics(vector, allowed: V3.allowed, mandatory: V3.mandatory)
        }
        if vector.hasPrefix("CVSS:4.0/") { return try metrics(vector, allowed: V4.allowed, mandatory: V4.mandatory) }
        throw CVSSError(
            message: "not a CVSS v3.0, v3.1 or v4.0 vector (it must start with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/)")
    }

    /// The metrics of `vector` after its prefix, each checked against `allowed`.
    static func metrics(_ vector: String, allowed: [String: [String]], mandatory: [String]) throws -> [String: String] {
        let body = vector.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        var metrics: [String: String] = [:]
        for part in body {
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count == 2, !pieces[0].isEmpty else {
                throw CVSSError(message: "'\(part)' is not METRIC:VALUE")
            }
            let (name, value) = (String(pieces[0]), String(pieces[1]))
            guard let values = allowed[name] else { throw CVSSError(message: "unknown metric '\(name)'") }
            guard values.contains(value) else {
                throw CVSSError(
                    message: "metric \(name) has no value '\(value)' (allowed: \(values.joined(separator: ", ")))")
            }
            guard metrics.updateValue(value, forKey: name) == nil else {
                throw CVSSError(message: "metric \(name) is given twice")
            }
        }
        let missing = mandatory.filter { metrics[$0] == nil }
        guard missing.isEmpty else {
            throw CVSSError(
                message: "missing mandatory metric\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", "))")
        }
        return metrics
    }

    /// Rounds half away from zero to one decimal, on the exact binary value (as Python's
    /// Decimal(x).quantize does): 4.35, stored as 4.34999..., rounds to 4.3.
    static func roundHalfUp(_ value: Double) -> Double {
        let text = String(format: "%.40f", abs(value))
        guard let dot = text.firstIndex(of: ".") else { return value }
        let whole = Double(text[..<dot]) ?? 0
        let digits = Array(text[text.index(after: dot)...])
        var tenths = Double(Int(String(digits[0])) ?? 0)
        if (Int(String(digits[1])) ?? 0) >= 5 { tenths += 1 }
        return (value < 0 ? -1 : 1) * (whole + tenths / 10)
    }

    // MARK: v3

    enum V3 {
        static let allowed: [String: [String]] = [
            "AV": ["N", "A", "L", "P"], "AC": ["L", "H"], "PR": ["N", "L", "H"], "UI": ["N", "R"], "S": ["U", "C"],
            "C": ["H", "L", "N"], "I": ["H", "L", "N"], "A": ["H", "L", "N"],
            "E": ["X", "H", "F", "P", "U"], "RL": ["X", "U", "W", "T", "O"], "RC": ["X", "C", "R", "U"],
            "CR": ["X", "H", "M", "L"], "IR": ["X", "H", "M", "L"], "AR": ["X", "H", "M", "L"],
            "MAV": ["X", "N", "A", "L", "P"], "MAC": ["X", "L", "H"], "MPR": ["X", "N", "L", "H"],
            "MUI": ["X", "N", "R"],
            "MS": ["X", "U", "C"], "MC": ["X", "H", "L", "N"], "MI": ["X", "H", "L", "N"], "MA": ["X", "H", "L", "N"],
        ]
        static let mandatory = ["AV", "AC", "PR", "UI", "S", "C", "I", "A"]

        static func score(_ m: [String: String], vector: String) throws -> CVSSScore {
            let version = vector.hasPrefix("CVSS:3.1/") ? "3.1" : "3.0"
            func roundUp(_ x: Double) -> Double {
                // Roundup of the specification, free of binary noise (3.1 defines it this way; 3.0's
                // ceiling gives the same on exact values).
                let scaled = Int((x * 100_000).rounded())
                return scaled % 10_000 == 0 ? Double(scaled) / 100_000 : Double(scaled / 10_000 + 1) / 10
            }
            let av = ["N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2]
            let ac = ["L": 0.77, "H": 0.44]
            let ui = ["N": 0.85, "R": 0.62]
            let cia = ["H": 0.56, "L": 0.22, "N": 0.0]
            func pr(_ value: String, changed: Bool) -> Double {
                switch value {
                case "N": 0.85
                case "L": changed ? 0.68 : 0.62
                default: changed ? 0.5 : 0.27
                }
            }
            let e = ["X": 1.0, "H": 1.0, "F": 0.97, "P": 0.94, "U": 0.91][m["E"] ?? "X"]!
            let rl = ["X": 1.0, "U": 1.0, "W": 0.97, "T": 0.96, "O": 0.95][m["RL"] ?? "X"]!
            let rc = ["X": 1.0, "C": 1.0, "R": 0.96, "U": 0.92][m["RC"] ?? "X"]!

            let changed = m["S"] == "C"
            let iss = 1 - (1 - cia[m["C"]!]!) * (1 - cia[m["I"]!]!) * (1 - cia[m["A"]!]!)
            let impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss
            let exploitability = 8.22 * av[m["AV"]!]! * ac[m["AC"]!]! * pr(m["PR"]!, changed: changed) * ui[m["UI"]!]!
            let base =
                impact <= 0
                ? 0
                : changed
                    ? roundUp(min(1.08 * (impact + exploitability), 10))
                    : roundUp(min(impact + exploitability, 10))
            let temporal = roundUp(base * e * rl * rc)

            func modified(_ name: String) -> String {
                let value = m["M" + name] ?? "X"
                return value == "X" ? m[name]! : value
            }
            let requirement = ["X": 1.0, "H": 1.5, "M": 1.0, "L": 0.5]
            let mChanged = modified("S") == "C"
            let miss = min(
                1 - (1 - cia[modified("C")]! * requirement[m["CR"] ?? "X"]!)
                    * (1 - cia[modified("I")]! * requirement[m["IR"] ?? "X"]!)
                    * (1 - cia[modified("A")]! * requirement[m["AR"] ?? "X"]!),
                0.915)
            let mImpact =
                mChanged
                ? (version == "3.1"
                    ? 7.52 * (miss - 0.029) - 3.25 * pow(miss * 0.9731 - 0.02, 13)
                    : 7.52 * (miss - 0.029) - 3.25 * pow(miss - 0.02, 15))
                : 6.42 * miss
            let mExploitability =
                8.22 * av[modified("AV")]! * ac[modified("AC")]! * pr(modified("PR"), changed: mChanged)
                * ui[modified("UI")]!
            let environmental =
                mImpact <= 0
                ? 0
                : mChanged
                    ? roundUp(roundUp(min(1.08 * (mImpact + mExploitability), 10)) * e * rl * rc)
                    : roundUp(roundUp(min(mImpact + mExploitability, 10)) * e * rl * rc)
            return CVSSScore(version: version, base: base, temporal: temporal, environmental: environmental)
        }
    }

    // MARK: v4

    enum V4 {
        static let allowed: [String: [String]] = [
            "AV": ["N", "A", "L", "P"], "AC": ["L", "H"], "AT": ["N", "P"], "PR": ["N", "L", "H"],
            "UI": ["N", "P", "A"],
            "VC": ["H", "L", "N"], "VI": ["H", "L", "N"], "VA": ["H", "L", "N"], "SC": ["H", "L", "N"],
            "SI": ["H", "L", "N"], "SA": ["H", "L", "N"], "E": ["X", "A", "P", "U"], "CR": ["X", "H", "M", "L"],
            "IR": ["X", "H", "M", "L"], "AR": ["X", "H", "M", "L"], "MAV": ["X", "N", "A", "L", "P"],
            "MAC": ["X", "L", "H"], "MAT": ["X", "N", "P"], "MPR": ["X", "N", "L", "H"], "MUI": ["X", "N", "P", "A"],
            "MVC": ["X", "H", "L", "N"], "MVI": ["X", "H", "L", "N"], "MVA": ["X", "H", "L", "N"],
            "MSC": ["X", "H", "L", "N"], "MSI": ["X", "S", "H", "L", "N"], "MSA": ["X", "S", "H", "L", "N"],
            "S": ["X", "N", "P"], "AU": ["X", "N", "Y"], "R": ["X", "A", "U", "I"], "V": ["X", "D", "C"],
            "RE": ["X", "L", "M", "H"], "U": ["X", "Clear", "Green", "Amber", "Red"],
        ]
        static let mandatory = ["AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA"]

        /// The score of each macro vector (EQ1..EQ6), from the CVSS v4.0 specification's reference
        /// calculator (FIRST, BSD-2-Clause): "EQS:SCORE".
        static let lookup: [String: Double] = {
            let rows = [
                "000000:10 000001:9.9 000010:9.8 000011:9.5 000020:9.5 000021:9.2 000100:10 000101:9.6",
                "000110:9.3 000111:8.7 000120:9.1 000121:8.1 000200:9.3 000201:9 000210:8.9 000211:8",
                "000220:8.1 000221:6.8 001000:9.8 001001:9.5 001010:9.5 001011:9.2 001020:9 001021:8.4",
                "001100:9.3 001101:9.2 001110:8.9 001111:8.1 001120:8.1 001121:6.5 001200:8.8 001201:8",
                "001210:7.8 001211:7 001220:6.9 001221:4.8 002001:9.2 002011:8.2 002021:7.2 002101:7.9",
                "002111:6.9 002121:5 002201:6.9 002211:5.5 002221:2.7 010000:9.9 010001:9.7 010010:9.5",
                "010011:9.2 010020:9.2 010021:8.5 010100:9.5 010101:9.1 010110:9 010111:8.3 010120:8.4",
                "010121:7.1 010200:9.2 010201:8.1 010210:8.2 010211:7.1 010220:7.2 010221:5.3 011000:9.5",
                "011001:9.3 011010:9.2 011011:8.5 011020:8.5 011021:7.3 011100:9.2 011101:8.2 011110:8",
                "011111:7.2 011120:7 011121:5.9 011200:8.4 011201:7 011210:7.1 011211:5.2 011220:5",
                "011221:3 012001:8.6 012011:7.5 012021:5.2 012101:7.1 012111:5.2 012121:2.9 012201:6.3",
                "012211:2.9 012221:1.7 100000:9.8 100001:9.5 100010:9.4 100011:8.7 100020:9.1 100021:8.1",
                "100100:9.4 100101:8.9 100110:8.6 100111:7.4 100120:7.7 100121:6.4 100200:8.7 100201:7.5",
                "100210:7.4 100211:6.3 100220:6.3 100221:4.9 101000:9.4 101001:8.9 101010:8.8 101011:7.7",
                "101020:7.6 101021:6.7 101100:8.6 101101:7.6 101110:7.4 101111:5.8 101120:5.9 101121:5",
                "101200:7.2 101201:5.7 101210:5.7 101211:5.2 101220:5.2 101221:2.5 102001:8.3 102011:7",
                "102021:5.4 102101:6.5 102111:5.8 102121:2.6 102201:5.3 102211:2.1 102221:1.3 110000:9.5",
                "110001:9 110010:8.8 110011:7.6 110020:7.6 110021:7 110100:9 110101:7.7 110110:7.5",
                "110111:6.2 110120:6.1 110121:5.3 110200:7.7 110201:6.6 110210:6.8 110211:5.9 110220:5.2",
                "110221:3 111000:8.9 111001:7.8 111010:7.6 111011:6.7 111020:6.2 111021:5.8 111100:7.4",
                "111101:5.9 111110:5.7 111111:5.7 111120:4.7 111121:2.3 111200:6.1 111201:5.2 111210:5.7",
                "111211:2.9 111220:2.4 111221:1.6 112001:7.1 112011:5.9 112021:3 112101:5.8 112111:2.6",
                "112121:1.5 112201:2.3 112211:1.3 112221:0.6 200000:9.3 200001:8.7 200010:8.6 200011:7.2",
                "200020:7.5 200021:5.8 200100:8.6 200101:7.4 200110:7.4 200111:6.1 200120:5.6 200121:3.4",
                "200200:7 200201:5.4 200210:5.2 200211:4 200220:4 200221:2.2 201000:8.5 201001:7.5",
                "201010:7.4 201011:5.5 201020:6.2 201021:5.1 201100:7.2 201101:5.7 201110:5.5 201111:4.1",
                "201120:4.6 201121:1.9 201200:5.3 201201:3.6 201210:3.4 201211:1.9 201220:1.9 201221:0.8",
                "202001:6.4 202011:5.1 202021:2 202101:4.7 202111:2.1 202121:1.1 202201:2.4 202211:0.9",
                "202221:0.4 210000:8.8 210001:7.5 210010:7.3 210011:5.3 210020:6 210021:5 210100:7.3",
                "210101:5.5 210110:5.9 210111:4 210120:4.1 210121:2 210200:5.4 210201:4.3 210210:4.5",
                "210211:2.2 210220:2 210221:1.1 211000:7.5 211001:5.5 211010:5.8 211011:4.5 211020:4",
                "211021:2.1 211100:6.1 211101:5.1 211110:4.8 211111:1.8 211120:2 211121:0.9 211200:4.6",
                "211201:1.8 211210:1.7 211211:0.7 211220:0.8 211221:0.2 212001:5.3 212011:2.4 212021:1.4",
                "212101:2.4 212111:1.2 212121:0.5 212201:1 212211:0.3 212221:0.1",
            ]
            var table: [String: Double] = [:]
            for row in rows {
                for entry in row.split(separator: " ") {
                    let parts = entry.split(separator: ":")
                    table[String(parts[0])] = Double(parts[1])!
                }
            }
            return table
        }()

        /// For each EQ level, the highest-severity vectors of that level (the specification's "max
        /// composed" vectors); EQ3 is keyed by EQ3 then EQ6.
        static let maxComposed:
            (eq1: [[String]], eq2: [[String]], eq3: [[[String]]], eq4: [[String]], eq5: [[String]]) = (
                [
                    ["AV:N/PR:N/UI:N"], ["AV:A/PR:N/UI:N", "AV:N/PR:L/UI:N", "AV:N/PR:N/UI:P"],
                    ["AV:P/PR:N/UI:N", "AV:A/PR:L/UI:P"],
                ],
                [["AC:L/AT:N"], ["AC:H/AT:N", "AC:L/AT:P"]],
                [
                    [
                        ["VC:H/VI:H/VA:H/CR:H/IR:H/AR:H"],
                        ["VC:H/VI:H/VA:L/CR:M/IR:M/AR:H", "VC:H/VI:H/VA:H/CR:M/IR:M/AR:M"],
                    ],
                    [
                        ["VC:L/VI:H/VA:H/CR:H/IR:H/AR:H", "VC:H/VI:L/VA:H/CR:H/IR:H/AR:H"],
                        [
                            "VC:L/VI:H/VA:L/CR:H/IR:M/AR:H", "VC:L/VI:H/VA:H/CR:H/IR:M/AR:M",
                            "VC:H/VI:L/VA:H/CR:M/IR:H/AR:M",
                            "VC:H/VI:L/VA:L/CR:M/IR:H/AR:H", "VC:L/VI:L/VA:H/CR:H/IR:H/AR:M",
                        ],
                    ],
                    [[], ["VC:L/VI:L/VA:L/CR:H/IR:H/AR:H"]],
                ],
                [["SC:H/SI:S/SA:S"], ["SC:H/SI:H/SA:H"], ["SC:L/SI:L/SA:L"]],
                [["E:A"], ["E:P"], ["E:U"]]
            )

        /// Severity steps within each EQ: the distance from a level's highest to its lowest vector.
        static let maxSeverity = (
            eq1: [1.0, 4, 5], eq2: [1.0, 2], eq3eq6: [[7.0, 6], [8.0, 8], [0.0, 10]], eq4: [6.0, 5, 4]
        )

        static let levels: [String: [String: Double]] = [
            "AV": ["N": 0.0, "A": 0.1, "L": 0.2, "P": 0.3], "PR": ["N": 0.0, "L": 0.1, "H": 0.2],
            "UI": ["N": 0.0, "P": 0.1, "A": 0.2], "AC": ["L": 0.0, "H": 0.1], "AT": ["N": 0.0, "P": 0.1],
            "VC": ["H": 0.0, "L": 0.1, "N": 0.2], "VI": ["H": 0.0, "L": 0.1, "N": 0.2],
            "VA": ["H": 0.0, "L": 0.1, "N": 0.2],
            "SC": ["H": 0.1, "L": 0.2, "N": 0.3], "SI": ["S": 0.0, "H": 0.1, "L": 0.2, "N": 0.3],
            "SA": ["S": 0.0, "H": 0.1, "L": 0.2, "N": 0.3], "CR": ["H": 0.0, "M": 0.1, "L": 0.2],
            "IR": ["H": 0.0, "M": 0.1, "L": 0.2], "AR": ["H": 0.0, "M": 0.1, "L": 0.2],
        ]

        static func score(_ given: [String: String]) throws -> CVSSScore {
            // The value in effect: a modified (environmental) metric wins; unset threat and
            // requirements take their worst case.
            func m(_ name: String) -> String {
                if let modified = given["M" + name], modified != "X" { return modified }
                let value = given[name] ?? "X"
                if value == "X" {
                    switch name {
                    case "E": return "A"
                    case "CR", "IR", "AR": return "H"
                    default: break
                    }
                }
                return value
            }
            if ["VC", "VI", "VA", "SC", "SI", "SA"].allSatisfy({ m($0) == "N" }) {
                return CVSSScore(version: "4.0", base: 0)
            }
            let av = m("AV"), pr = m("PR"), ui = m("UI")
            let eq1 =
                av == "N" && pr == "N" && ui == "N" ? 0 : (av == "N" || pr == "N" || ui == "N") && av != "P" ? 1 : 2
            let eq2 = m("AC") == "L" && m("AT") == "N" ? 0 : 1
            let vc = m("VC"), vi = m("VI"), va = m("VA")
            let eq3 = vc == "H" && vi == "H" ? 0 : (vc == "H" || vi == "H" || va == "H") ? 1 : 2
            let eq4 =
                m("SI") == "S" || m("SA") == "S" ? 0 : (m("SC") == "H" || m("SI") == "H" || m("SA") == "H") ? 1 : 2
            let eq5 = ["A": 0, "P": 1, "U": 2][m("E")]!
            let eq6 =
                (m("CR") == "H" && vc == "H") || (m("IR") == "H" && vi == "H") || (m("AR") == "H" && va == "H") ? 0 : 1
            func key(_ e: [Int]) -> String { e.map(String.init).joined() }
            let macro = [eq1, eq2, eq3, eq4, eq5, eq6]
            guard var value = lookup[key(macro)] else {
                throw CVSSError(message: "no score for macro vector \(key(macro))")
            }
            func lower(_ index: Int, _ by: Int = 1) -> [Int] {
                var next = macro
                next[index] += by
                return next
            }
            let nan = Double.nan
            let scoreEq1 = lookup[key(lower(0))] ?? nan
            let scoreEq2 = lookup[key(lower(1))] ?? nan
            let scoreEq3eq6: Double
            if eq3 == 0 && eq6 == 0 {
                scoreEq3eq6 = max(lookup[key(lower(5))] ?? nan, lookup[key(lower(2))] ?? nan)
            } else if eq3 == 1 && eq6 == 0 {
                scoreEq3eq6 = lookup[key(lower(5))] ?? nan
            } else if eq6 == 1 && eq3 <= 1 {
                scoreEq3eq6 = lookup[key(lower(2))] ?? nan
            } else {
                var next = macro
                next[2] += 1
                next[5] += 1
                scoreEq3eq6 = lookup[key(next)] ?? nan
            }
            let scoreEq4 = lookup[key(lower(3))] ?? nan
            let scoreEq5 = lookup[key(lower(4))] ?? nan

            // The first highest-severity vector of the macro vector this one does not exceed.
            var distances: [String: Double] = [:]
            let names = ["AV", "PR", "UI", "AC", "AT", "VC", "VI", "VA", "SC", "SI", "SA", "CR", "IR", "AR"]
            search: for a in maxComposed.eq1[eq1] {
                for b in maxComposed.eq2[eq2] {
                    for c in maxComposed.eq3[eq3][eq6] {
                        for d in maxComposed.eq4[eq4] {
                            for e in maxComposed.eq5[eq5] {
                                var maximum: [String: String] = [:]
                                for part in [a, b, c, d, e].joined(separator: "/").split(separator: "/") {
                                    let pieces = part.split(separator: ":")
                                    maximum[String(pieces[0])] = String(pieces[1])
                                }
                                var candidate: [String: Double] = [:]
                                for name in names {
                                    candidate[name] = levels[name]![m(name)]! - levels[name]![maximum[name]!]!
                                }
                                distances = candidate
                                if candidate.values.allSatisfy({ $0 >= 0 }) { break search }
                            }
                        }
                    }
                }
            }
            func d(_ name: String) -> Double { distances[name]! }
            let currentEq1 = d("AV") + d("PR") + d("UI")
            let currentEq2 = d("AC") + d("AT")
            let currentEq3eq6 = d("VC") + d("VI") + d("VA") + d("CR") + d("IR") + d("AR")
            let currentEq4 = d("SC") + d("SI") + d("SA")
            let step = 0.1
            let available = [
                value - scoreEq1, value - scoreEq2, value - scoreEq3eq6, value - scoreEq4, value - scoreEq5,
            ]
            let maxima = [
                maxSeverity.eq1[eq1] * step, maxSeverity.eq2[eq2] * step, maxSeverity.eq3eq6[eq3][eq6] * step,
                maxSeverity.eq4[eq4] * step,
            ]
            let current = [currentEq1, currentEq2, currentEq3eq6, currentEq4]
            var existing = 0
            var normalized = [0.0, 0, 0, 0, 0]
            for index in 0..<5 where available[index] >= 0 {
                existing += 1
                normalized[index] =
                    index == 4 ? available[index] * 0 : available[index] * (current[index] / maxima[index])
            }
            let mean =
                existing == 0
                ? 0 : (normalized[0] + normalized[1] + normalized[2] + normalized[3] + normalized[4]) / Double(existing)
            value -= mean
            value = min(10, max(0, value))
            // The specification's calculator adds 10^-6 before rounding, so that binary noise
            // (5.0499999... for 5.05) rounds as the decimal value would.
            return CVSSScore(version: "4.0", base: roundHalfUp(value + 0.000_001))
        }
    }
}
