/// How web scanners' URLs become endpoints and assets: the same page is the same endpoint
/// whatever its query, and a site is its host name. Read on the UTF-8 bytes (a Nuclei export
/// holds one a result).
enum WebEndpoint {
    /// A URL without its query and fragment, its scheme and host in lower case: the endpoint.
    static func withoutQuery(_ url: String) -> String {
        var bytes = Array(url.utf8)
        if let cut = bytes.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) {
            bytes.removeSubrange(cut...)
        }
        guard let authority = schemeEnd(bytes) else { return String(decoding: bytes, as: UTF8.self) }
        let end = bytes[authority...].firstIndex(of: UInt8(ascii: "/")) ?? bytes.endIndex
        lowercase(&bytes, 0..<end)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A site's host name as an asset: lower case, without a scheme, port or path.
    static func host(_ text: String) -> String {
        var bytes = Array(text.utf8)
        while let last = bytes.last, isSpace(last) { bytes.removeLast() }
        var start = bytes.firstIndex { !isSpace($0) } ?? bytes.endIndex
        if let authority = schemeEnd(bytes) { start = max(start, authority) }
        var end = bytes[start...].firstIndex(of: UInt8(ascii: "/")) ?? bytes.endIndex
        if start < end, bytes[start] != UInt8(ascii: "["),
            let colon = bytes[start..<end].lastIndex(of: UInt8(ascii: ":"))
        {
            end = colon
        }
        var host = Array(bytes[start..<end])
        lowercase(&host, host.indices)
        return String(decoding: host, as: UTF8.self)
    }

    /// Where the authority starts: after `scheme://`, nil when there is none.
    private static func schemeEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 3 else { return nil }
        for index in 0..<(bytes.count - 2) {
            let byte = bytes[index]
            if byte == UInt8(ascii: ":") {
                return bytes[index + 1] == UInt8(ascii: "/") && bytes[index + 2] == UInt8(ascii: "/") && index > 0
                    ? index + 3 : nil
            }
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") { return nil }
        }
        return nil
    }

    private static func lowercase(_ bytes: inout [UInt8], _ range: Range<Int>) {
        for index in range where bytes[index] >= 0x41 && bytes[index] <= 0x5A { bytes[index] += 0x20 }
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
}
