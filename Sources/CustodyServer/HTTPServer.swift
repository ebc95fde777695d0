import CMicroHTTPD
import CustodyService
import Foundation

/// An HTTP server on libmicrohttpd: a pool of threads, keep-alive, idle connections dropped after
/// `timeout` seconds (slow clients cannot hold a thread), bodies over `maxBody` bytes refused
/// with 413 before they are read. The handler runs on the pool's threads.
public final class HTTPServer: @unchecked Sendable {
    public struct Settings: Sendable {
        public var host = "127.0.0.1"
        /// 0: any free port (``port`` says which).
        public var port: UInt16 = 8080
        public var threads: UInt32 = 8
        public var timeout: UInt32 = 30
        public var maxBody = 64 << 20
        public var connectionsPerAddress: UInt32 = 64
        /// PEM text of the key and certificate: with both, the server speaks only TLS.
        public var tlsKey: String?
        public var tlsCertificate: String?

        public init() {}
    }

    public struct StartFailure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    let settings: Settings
    let handler: Handler
    private var daemon: OpaquePointer?
    public private(set) var port: UInt16 = 0

    public init(settings: Settings, handler: @escaping Handler) {
        self.settings = settings
        self.handler = handler
    }

    /// Starts listening; throws when the address cannot be bound.
    public func start() throws(StartFailure) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        let started: OpaquePointer?
        if let key = settings.tlsKey, let certificate = settings.tlsCertificate {
            started = custody_mhd_start_tls(
                settings.host, settings.port, settings.threads, settings.timeout, 32 << 10,
                settings.connectionsPerAddress, HTTPServer.access, HTTPServer.completed, context, key, certificate)
        } else {
            started = custody_mhd_start(
                settings.host, settings.port, settings.threads, settings.timeout, 32 << 10,
                settings.connectionsPerAddress, HTTPServer.access, HTTPServer.completed, context)
        }
        guard let started else {
            throw StartFailure(
                description: "cannot listen on \(settings.host):\(settings.port) (in use, not an IPv4 address"
                    + (settings.tlsKey != nil ? ", or a TLS key and certificate libmicrohttpd refuses)" : ")"))
        }
        daemon = started
        port = custody_mhd_port(started)
    }

    /// Stops accepting; requests in flight finish first (libmicrohttpd joins its threads).
    public func stop() {
        if let daemon { MHD_stop_daemon(daemon) }
        daemon = nil
    }

    deinit { stop() }

    /// What one request has gathered between libmicrohttpd's calls.
    final class Pending {
        var body: [UInt8] = []
        var tooLarge = false
    }

    static let access: custody_mhd_handler = { context, connection, url, method, _, upload, size, request in
        guard let context, let connection, let size, let request else { return .NO }
        let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
        // The first call only announces the request.
        guard let state = request.pointee else {
            request.pointee = Unmanaged.passRetained(Pending()).toOpaque()
            return .YES
        }
        let pending = Unmanaged<Pending>.fromOpaque(state).takeUnretainedValue()
        if size.pointee > 0 {
            if pending.tooLarge || pending.body.count + size.pointee > server.settings.maxBody {
                pending.tooLarge = true
            } else if let upload {
                upload.withMemoryRebound(to: UInt8.self, capacity: size.pointee) { bytes in
                    pending.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: size.pointee))
                }
            }
            size.pointee = 0
            return .YES
        }
        let response: HTTPResponse
        if pending.tooLarge {
            response = .json(
                413,
                #"{"error":"limit_exceeded","message":"the body is over \#(server.settings.maxBody) bytes","file":null,"place":null}"#
            )
        } else {
            let target = url.map { String(cString: $0) } ?? "/"
            var request = HTTPRequest(
                method: method.map { String(cString: $0) } ?? "GET",
                path: String(target.split(separator: "?", maxSplits: 1).first ?? "/"), body: pending.body)
            request.query = values(connection, .GET_ARGUMENT_KIND)
            request.headers = Dictionary(
                values(connection, .HEADER_KIND).map { ($0.key.lowercased(), $0.value) }
            ) { _, last in last }
            response = server.handler(request)
        }
        return send(response, on: connection)
    }

    static let completed: custody_mhd_completed = { _, _, request, _ in
        guard let request, let state = request.pointee else { return }
        Unmanaged<Pending>.fromOpaque(state).release()
        request.pointee = nil
    }

    /// The connection's values of one kind (headers, query arguments).
    static func values(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> [String: String] {
        final class Box { var values: [String: String] = [:] }
        let box = Box()
        let pointer = Unmanaged.passUnretained(box).toOpaque()
        MHD_get_connection_values(
            connection, kind,
            { context, _, key, value in
                guard let context, let key else { return .YES }
                Unmanaged<Box>.fromOpaque(context).takeUnretainedValue().values[String(cString: key)] =
                    value.map { String(cString: $0) } ?? ""
                return .YES
            }, pointer)
        return box.values
    }

    static func send(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        if let stream = response.stream { return send(response, streaming: stream, on: connection) }
        let made = response.body.withUnsafeBytes { bytes in custody_mhd_copied_response(bytes.count, bytes.baseAddress)
        }
        guard let made else { return .NO }
        return queue(made, response, on: connection)
    }

    /// Runs the producer on a thread of its own and sends what it writes as it comes; a failure
    /// before the first byte is sent as the error it is.
    static func send(
        _ response: HTTPResponse, streaming stream: @escaping @Sendable (any ByteSink) throws(ServiceError) -> Void,
        on connection: OpaquePointer
    ) -> MHD_Result {
        let pipe = StreamPipe()
        Thread.detachNewThread {
            do throws(ServiceError) {
                try stream(pipe)
                pipe.finish()
            } catch {
                pipe.finish(error)
            }
        }
        let start = pipe.waitForStart()
        if !start.started, let failure = start.failure {
            return send(API.failure(failure), on: connection)
        }
        let context = Unmanaged.passRetained(pipe).toOpaque()
        guard
            let made = custody_mhd_streamed_response(
                64 << 10,
                { context, _, buffer, max in
                    guard let context, let buffer else { return -2 }
                    return Unmanaged<StreamPipe>.fromOpaque(context).takeUnretainedValue().read(
                        into: buffer, max: max)
                }, context,
                { context in
                    guard let context else { return }
                    let pipe = Unmanaged<StreamPipe>.fromOpaque(context).takeRetainedValue()
                    pipe.cancel()
                })
        else {
            Unmanaged<StreamPipe>.fromOpaque(context).release()
            pipe.cancel()
            return .NO
        }
        return queue(made, response, on: connection)
    }

    static func queue(_ made: OpaquePointer, _ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        defer { MHD_destroy_response(made) }
        for (name, value) in response.headers + [("X-Content-Type-Options", "nosniff")] {
            _ = MHD_add_response_header(made, name, value)
        }
        return MHD_queue_response(connection, UInt32(response.status), made)
    }
}
