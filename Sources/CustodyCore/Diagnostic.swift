/// A problem found in an input: which file, where in it, and what is wrong.
///
/// `place` is a JSON path (`$.runs[0].results[3].level`), a line (`line 12`) or a byte
/// offset, whichever the format allows. Recoverable problems are collected as warnings;
/// errors stop the ingest before anything is written.
public struct Diagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }

    public var severity: Severity
    public var file: String
    public var place: String?
    public var message: String

    public init(_ severity: Severity = .error, file: String, place: String? = nil, message: String) {
        self.severity = severity
        self.file = file
        self.place = place
        self.message = message
    }

    public var description: String {
        if let place { return "\(file): \(place): \(severity.rawValue): \(message)" }
        return "\(file): \(severity.rawValue): \(message)"
    }
}
