import CustodyCore
import CustodyJSON
import Foundation

/// Reports as files arrive, made into the UTF-8 text the readers parse: gzip-compressed reports
/// are inflated (recognised by their magic bytes, whatever the file is called), a UTF-8 byte order
/// mark is skipped, UTF-16 and UTF-32 (by their marks, or UTF-16 by its zero bytes) are converted,
/// and XML is refused by name instead of being parsed as JSON. A plain UTF-8 report is passed
/// through untouched (no copy).
enum ReportEncoding {
    static func prepare(_ input: JSONInput, file: String, limits: InputLimits) throws -> JSONInput {
        let bytes = input.bytes
        if Gzip.isCompressed(bytes) {
            return try prepare(
                JSONInput(bytes: try Gzip.inflate(bytes, file: file, limit: limits.maxBytes)), file: file,
                limits: limits)
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return JSONInput(bytes: Array(bytes.dropFirst(3))) }
        if let (encoding, name, mark) = unicode(bytes) {
            guard let text = String(bytes: bytes.dropFirst(mark), encoding: encoding) else {
                throw Diagnostic(file: file, message: "\(name) text that does not decode: save the report as UTF-8")
            }
            return JSONInput(bytes: Array(text.utf8))
        }
        if let first = bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }), first == UInt8(ascii: "<") {
            // XML is read when an XML reader knows its root element; otherwise refused.
            let roots = XMLReports.roots
            if let name = rootName(of: bytes), roots.contains(where: { $0.root == name }) { return input }
            throw Diagnostic(
                file: file, place: "line 1",
                message:
                    "an XML document (\(rootName(of: bytes).map { "root <\($0)>" } ?? "no root element")): Custody "
                    + "reads XML from \(roots.map { "\($0.tool) (<\($0.root)>)" }.joined(separator: ", ")) and "
                    + "these formats as JSON or CSV (\(ReportFormat.allCases.filter { !$0.isXML }.map(\.rawValue).joined(separator: ", "))); "
                    + "export the report as JSON")
        }
        return input
    }

    /// UTF-32 and UTF-16 by their byte order marks, and UTF-16 without one by its zero bytes (a
    /// JSON report starts with ASCII, so every other byte is zero).
    private static func unicode(_ bytes: UnsafeBufferPointer<UInt8>) -> (String.Encoding, String, Int)? {
        if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return (.utf32BigEndian, "UTF-32", 4) }
        if bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return (.utf32LittleEndian, "UTF-32", 4) }
        if bytes.starts(with: [0xFE, 0xFF]) { return (.utf16BigEndian, "UTF-16", 2) }
        if bytes.starts(with: [0xFF, 0xFE]) { return (.utf16LittleEndian, "UTF-16", 2) }
        guard bytes.count >= 4 else { return nil }
        if bytes[0] != 0, bytes[1] == 0, bytes[2] != 0, bytes[3] == 0 { return (.utf16LittleEndian, "UTF-16", 0) }
        if bytes[0] == 0, bytes[1] != 0, bytes[2] == 0, bytes[3] != 0 { return (.utf16BigEndian, "UTF-16", 0) }
        return nil
    }

    /// The name of an XML document's root element (nil: none in its first 4 KB).
    static func rootName(of bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let head = String(decoding: bytes.prefix(4096), as: UTF8.self)
        var rest = Substring(head)
        while let open = rest.firstIndex(of: "<") {
            rest = rest[rest.index(after: open)...]
            guard let first = rest.first, first != "?", first != "!" else { continue }
            return String(rest.prefix { !" \t\r\n/>".contains($0) })
        }
        return nil
    }
}
