/// Pulls weakness (CWE) and vulnerability (CVE, GHSA) ids out of the tags and ids tools write:
/// `external/cwe/cwe-079`, `CWE-79: Improper...`, `cwe-89`, `CVE-2021-44228`, `GHSA-xxxx-xxxx-xxxx`.
enum Tags {
    static func cwes(in tags: [String]) -> [String] {
        var out: [String] = []
        for tag in tags {
            // The common case, already canonical: "CWE-79".
            if tag.utf8.count > 4, tag.hasPrefix("CWE-"),
                tag.utf8.dropFirst(4).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                tag.utf8.dropFirst(4).first != 0x30
            {
                if !out.contains(tag) { out.append(tag) }
                continue
            }
            let lower = Array(tag.lowercased().utf8)
            var i = 0
            while i + 3 < lower.count {
                if lower[i] == UInt8(ascii: "c"), lower[i + 1] == UInt8(ascii: "w"), lower[i + 2] == UInt8(ascii: "e"),
                    i == 0 || !isAlphanumeric(lower[i - 1])
                {
                    var j = i + 3
                    if j < lower.count,
                        lower[j] == UInt8(ascii: "-") || lower[j] == UInt8(ascii: "_") || lower[j] == UInt8(ascii: " ")
                    {
                        j += 1
                    }
                    var digits = 0
                    var number = 0
                    while j < lower.count, isDigit(lower[j]), digits < 7 {
                        number = number * 10 + Int(lower[j] - UInt8(ascii: "0"))
                        j += 1
                        digits += 1
                    }
                    if digits > 0 && (j == lower.count || !isAlphanumeric(lower[j])) {
                        let id = "CWE-\(number)"
                        if !out.contains(id) { out.append(id) }
                    }
                    i = j
                } else {
                    i += 1
                }
            }
        }
        return out
    }

    static func cves(in tags: [String]) -> [String] {
        var out: [String] = []
        for tag in tags {
            let upper = Array(tag.uppercased().utf8)
            var i = 0
            while i + 4 < upper.count {
                if upper[i] == UInt8(ascii: "C"), upper[i + 1] == UInt8(ascii: "V"), upper[i + 2] == UInt8(ascii: "E"),
                    upper[i + 3] == UInt8(ascii: "-"), i == 0 || !isAlphanumeric(upper[i - 1])
                {
                    var j = i + 4
                    let yearStart = j
                    while j < upper.count, isDigit(upper[j]) { j += 1 }
                    guard j - yearStart == 4, j < upper.count, upper[j] == UInt8(ascii: "-") else {
                        i += 1
                        continue
                    }
                    j += 1
                    let numberStart = j
                    while j < upper.count, isDigit(upper[j]) { j += 1 }
                    if j - numberStart >= 4 {
                        let id = String(decoding: upper[i..<j], as: UTF8.self)
                        if !out.contains(id) { out.append(id) }
                    }
                    i = j
                } else if upper[i] == UInt8(ascii: "G"), i + 19 <= upper.count,
                    String(decoding: upper[i..<i + 5], as: UTF8.self) == "GHSA-",
                    i == 0 || !isAlphanumeric(upper[i - 1])
                {
                    let id = "GHSA-" + String(decoding: upper[i + 5..<i + 19], as: UTF8.self).lowercased()
                    if !out.contains(id) { out.append(id) }
                    i += 19
                } else {
                    i += 1
                }
            }
        }
        return out
    }

    /// True for exactly one CVE id, `CVE-YYYY-NNNN` (four or more digits), upper case.
    static func isCVE(_ text: String) -> Bool {
        cves(in: [text]) == [text]
    }

    static func merge(_ a: [String], _ b: [String]) -> [String] {
        var out = a
        for item in b where !out.contains(item) { out.append(item) }
        return out
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
    }
}
