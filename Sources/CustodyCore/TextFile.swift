import Foundation

/// Reads small text inputs (CODEOWNERS, teams and catalog files, source lines) with a size limit,
/// so no input can make Custody read without bound.
public enum TextFile {
    /// GitHub ignores CODEOWNERS files of 3 MB or more; so does Custody.
    public static let codeownersLimit = 3 << 20
    /// Teams and catalog files.
    public static let organisationLimit = 16 << 20
    /// A source file read for a flagged line.
    public static let sourceLimit = 8 << 20

    public static func read(_ path: String, limit: Int) throws -> String {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw Diagnostic(file: path, message: "cannot read the file (missing or not readable)")
        }
        if let size = attributes[.size] as? Int, size > limit {
            throw Diagnostic(file: path, message: "the file is \(size) bytes, over the limit of \(limit) bytes")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Diagnostic(file: path, message: "cannot read the file (missing or not readable)")
        }
        guard data.count <= limit else {
            throw Diagnostic(file: path, message: "the file is over the limit of \(limit) bytes")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Diagnostic(file: path, message: "not UTF-8 text")
        }
        return text
    }
}
