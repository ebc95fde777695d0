/// Normalises the paths reports give into repository-relative form: `src/a.c`.
public enum RepositoryPath {
    /// Strips a `file:` scheme and authority, percent-decodes, removes `./` and empty
    /// segments, resolves `..` (never above the root) and drops a leading `/`.
    public static func normalize(_ raw: String) -> String {
        if isAlreadyNormal(raw) { return raw }
        var text = Substring(raw)
        if text.hasPrefix("file://") {
            text = text.dropFirst(7)
            // file://host/path or file:///path: drop the authority up to the next slash.
            if let slash = text.firstIndex(of: "/") { text = text[slash...] } else { text = "" }
        } else if text.hasPrefix("file:") {
            text = text.dropFirst(5)
        }
        let decoded = percentDecode(String(text)).replacingBackslashes()
        var segments: [Substring] = []
        for segment in decoded.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        // A Windows drive letter ("C:") is not part of a repository path.
        if let first = segments.first, first.count == 2, first.last == ":" { segments.removeFirst() }
        return segments.joined(separator: "/")
    }

    /// True for the common case that needs no work: no scheme or drive (`:`), no `%` or `\\`,
    /// no empty, `.` or `..` segment, no leading or trailing `/`.
    static func isAlreadyNormal(_ raw: String) -> Bool {
        var segmentLength = 0
        var segmentIsDots = true
        for byte in raw.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "\\"), UInt8(ascii: ":"):
                return false
            case UInt8(ascii: "/"):
                if segmentLength == 0 || (segmentIsDots && segmentLength <= 2) { return false }
                segmentLength = 0
                segmentIsDots = true
            default:
                segmentLength += 1
                if byte != UInt8(ascii: ".") { segmentIsDots = false }
            }
        }
        return segmentLength > 0 && !(segmentIsDots && segmentLength <= 2)
    }

    /// Removes `root` (itself normalised) from the front of `path` when it is there.
    public static func relative(_ path: String, to root: String) -> String {
        let base = normalize(root)
        guard !base.isEmpty else { return path }
        if path == base { return "" }
        if path.hasPrefix(base + "/") { return String(path.dropFirst(base.count + 1)) }
        return path
    }

    static func percentDecode(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        var out = [UInt8]()
        var bytes = Array(text.utf8)[...]
        while let byte = bytes.popFirst() {
            if byte == UInt8(ascii: "%"), bytes.count >= 2,
                let high = hexValue(bytes[bytes.startIndex]),
                let low = hexValue(bytes[bytes.startIndex + 1])
            {
                out.append(high << 4 | low)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension String {
    fileprivate func replacingBackslashes() -> String {
        guard utf8.contains(UInt8(ascii: "\\")) else { return self }
        return String(decoding: utf8.map { $0 == UInt8(ascii: "\\") ? UInt8(ascii: "/") : $0 }, as: UTF8.self)
    }
}
