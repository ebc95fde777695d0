import CustodyService
import Foundation

/// A `multipart/form-data` body (RFC 7578) split into its parts: text fields by name, and files
/// with their file names. DefectDojo's clients and `curl -F` send reports this way.
struct MultipartForm: Sendable {
    struct Part: Sendable {
        var name: String
        /// The part's `filename`, when it is a file.
        var fileName: String?
        var bytes: [UInt8]

        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    var parts: [Part] = []

    /// The first part named `name`.
    func part(_ name: String) -> Part? { parts.first { $0.name == name } }

    /// The text of the field `name`, trimmed.
    func field(_ name: String) -> String? {
        part(name).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Every value of a field given more than once (`tags=a`, `tags=b`).
    func fields(_ name: String) -> [String] {
        parts.filter { $0.name == name }.map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// The boundary of a `multipart/form-data` content type, or nil for another type.
    static func boundary(ofContentType type: String?) -> String? {
        guard let type, type.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in type.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    /// Splits `body` at `boundary`. A part without a name, a missing closing boundary or more
    /// than `maxParts` parts is a 400 naming the part.
    init(body: [UInt8], boundary: String, maxParts: Int = 256) throws(ServiceError) {
        guard !boundary.isEmpty, boundary.utf8.count <= 70 else {
            throw ServiceError(.invalidInput, "the multipart boundary must be 1 to 70 characters", file: "body")
        }
        let delimiter = Array("--\(boundary)".utf8)
        // The body opens with the delimiter; every later one follows a CRLF.
        guard var start = Self.find(delimiter, in: body, from: 0) else {
            throw ServiceError(.invalidInput, "the body has no multipart boundary '\(boundary)'", file: "body")
        }
        let separator = [13, 10] + delimiter
        while true {
            var cursor = start + delimiter.count
            if body.count >= cursor + 2, body[cursor] == 45, body[cursor + 1] == 45 { return }  // "--": the end
            guard parts.count < maxParts else {
                throw ServiceError(.limitExceeded, "more than \(maxParts) multipart parts", file: "body")
            }
            cursor = Self.skipLineEnd(body, cursor)
            guard let headersEnd = Self.find([13, 10, 13, 10], in: body, from: cursor) else {
                throw ServiceError(
                    .invalidInput, "multipart part \(parts.count + 1) has no end to its headers", file: "body")
            }
            let headers = String(decoding: body[cursor..<headersEnd], as: UTF8.self)
            let contentStart = headersEnd + 4
            guard let next = Self.find(separator, in: body, from: contentStart) else {
                throw ServiceError(
                    .invalidInput, "multipart part \(parts.count + 1) is not closed by the boundary", file: "body")
            }
            parts.append(try Self.part(headers: headers, bytes: Array(body[contentStart..<next]), index: parts.count))
            start = next + 2
        }
    }

    private static func part(headers: String, bytes: [UInt8], index: Int) throws(ServiceError) -> Part {
        for line in headers.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }) {
            let header = line.split(separator: ":", maxSplits: 1)
            guard header.count == 2, header[0].lowercased() == "content-disposition" else { continue }
            var name: String?
            var fileName: String?
            for parameter in header[1].split(separator: ";") {
                let pair = parameter.split(separator: "=", maxSplits: 1).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                guard pair.count == 2 else { continue }
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                switch pair[0].lowercased() {
                case "name": name = value
                case "filename": fileName = value
                default: break
                }
            }
            if let name { return Part(name: name, fileName: fileName, bytes: bytes) }
        }
        throw ServiceError(
            .invalidInput, "multipart part \(index + 1) has no Content-Disposition name", file: "body")
    }

    private static func skipLineEnd(_ body: [UInt8], _ index: Int) -> Int {
        var cursor = index
        while cursor < body.count, body[cursor] == 32 || body[cursor] == 9 { cursor += 1 }  // transport padding
        if cursor + 1 < body.count, body[cursor] == 13, body[cursor + 1] == 10 { return cursor + 2 }
        return cursor
    }

    /// Where `needle` first occurs in `haystack` at or after `from`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = from
        let last = haystack.count - needle.count
        while index <= last {
            guard let hit = haystack[index...last].firstIndex(of: first) else { return nil }
            if haystack[hit..<(hit + needle.count)].elementsEqual(needle) { return hit }
            index = hit + 1
        }
        return nil
    }
}
