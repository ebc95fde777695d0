import CustodyService

/// An HTTP request as a handler sees it: the whole body read (up to the server's limit).
public struct HTTPRequest: Sendable {
    public var method: String
    /// The path without the query string (`/api/v1/findings`).
    public var path: String
    /// The query's arguments, each name once (the last value given).
    public var query: [String: String]
    /// Request headers by lower-case name.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(
        method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// A response: status, headers and the body bytes - or, for a body too large to hold, the
/// producer that writes it as it is sent (chunked; memory flat in its size).
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Writes the body into the sink, on a thread of its own. A failure before the first byte
    /// is answered with its own status and error body; a later one cuts the connection.
    public var stream: (@Sendable (any ByteSink) throws(ServiceError) -> Void)?

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
    }

    public static func text(_ status: Int, _ text: String, type: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", type)], body: Array(text.utf8))
    }
}
