import CCurl
import Foundation

/// What a server answered.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A delivery that did not get through: the transport's or the server's words.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// HTTP(S) requests and SMTP submissions through libcurl, one easy handle per transport (so
/// connections to the same server are reused). Only the protocols asked for are allowed,
/// redirects are not followed, and responses are cut at `maxResponseBytes`.
public final class Transport {
    private static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    private let handle: UnsafeMutableRawPointer
    public let timeoutSeconds: Int
    public let maxResponseBytes: Int

    public init(timeoutSeconds: Int = 30, maxResponseBytes: Int = 1 << 20) throws {
        guard Self.initialised, let handle = curl_easy_init() else {
            throw TransportError(message: "libcurl could not be initialised")
        }
        self.handle = handle
        self.timeoutSeconds = timeoutSeconds
        self.maxResponseBytes = maxResponseBytes
    }

    deinit { curl_easy_cleanup(handle) }

    /// Sends an HTTP request; `headers` are full lines (`Content-Type: application/json`).
    public func request(
        _ method: String, _ url: String, headers: [String] = [], body: [UInt8]? = nil
    ) throws -> HTTPResponse {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw TransportError(message: "not an http(s) URL: \(url)")
        }
        return try perform(url: url, protocols: "http,https", headers: headers) { handle, upload in
            switch method {
            case "GET": custody_curl_set_long(handle, CURLOPT_HTTPGET, 1)
            case "POST":
                custody_curl_set_long(handle, CURLOPT_POST, 1)
            default:
                custody_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, method)
            }
            if let body {
                upload.bytes = body
                custody_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
                // The body is read through the callback (no copy kept by curl); POST semantics
                // for PUT/PATCH too.
                custody_curl_set_long(handle, CURLOPT_POST, 1)
                if method != "POST" { custody_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, method) }
            }
        }
    }

    /// Submits `message` (RFC 5322 text) over SMTP to `url` (`smtp://host:port`, or `smtps://`).
    public func sendMail(
        _ url: String, from: String, to recipients: [String], message: [UInt8], username: String? = nil,
        password: String? = nil, requireTLS: Bool = false
    ) throws {
        guard url.hasPrefix("smtp://") || url.hasPrefix("smtps://") else {
            throw TransportError(message: "not an smtp(s) URL: \(url)")
        }
        guard !recipients.isEmpty else { throw TransportError(message: "no recipients") }
        var list: UnsafeMutablePointer<curl_slist>?
        for recipient in recipients { list = curl_slist_append(list, "<\(recipient)>") }
        defer { curl_slist_free_all(list) }
        _ = try perform(url: url, protocols: "smtp,smtps", headers: []) { handle, upload in
            custody_curl_set_string(handle, CURLOPT_MAIL_FROM, "<\(from)>")
            custody_curl_set_slist(handle, CURLOPT_MAIL_RCPT, list)
            custody_curl_set_long(handle, CURLOPT_UPLOAD, 1)
            if requireTLS { custody_curl_set_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)) }
            if let username { custody_curl_set_string(handle, CURLOPT_USERNAME, username) }
            if let password { custody_curl_set_string(handle, CURLOPT_PASSWORD, password) }
            upload.bytes = message
        }
    }

    /// Bytes going out (read by curl) and coming back (written by curl).
    final class Buffers {
        var bytes: [UInt8] = []
        var offset = 0
        var response: [UInt8] = []
        var limit = 0
        var overflowed = false
    }

    private func perform(
        url: String, protocols: String, headers: [String], configure: (UnsafeMutableRawPointer, Buffers) -> Void
    ) throws -> HTTPResponse {
        curl_easy_reset(handle)
        let buffers = Buffers()
        buffers.limit = maxResponseBytes
        var errorText = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers { list = curl_slist_append(list, header) }
        // Curl adds "Expect: 100-continue" to big POSTs; loopback receivers and most APIs do not need it.
        list = curl_slist_append(list, "Expect:")
        defer { curl_slist_free_all(list) }
        let context = Unmanaged.passUnretained(buffers).toOpaque()
        return try withExtendedLifetime(buffers) {
            try errorText.withUnsafeMutableBufferPointer { errorBuffer in
                custody_curl_set_string(handle, CURLOPT_URL, url)
                custody_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, protocols)
                custody_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0)
                custody_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
                custody_curl_set_long(handle, CURLOPT_TIMEOUT, timeoutSeconds)
                custody_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, min(timeoutSeconds, 10))
                custody_curl_set_slist(handle, CURLOPT_HTTPHEADER, list)
                custody_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer.baseAddress)
                custody_curl_set_io(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
                    let buffers = Unmanaged<Buffers>.fromOpaque(context!).takeUnretainedValue()
                    let length = size * count
                    guard buffers.response.count + length <= buffers.limit else {
                        buffers.overflowed = true
                        return 0  // aborts the transfer
                    }
                    data.map { buffers.response.append(contentsOf: UnsafeRawBufferPointer(start: $0, count: length)) }
                    return length
                }
                custody_curl_set_pointer(handle, CURLOPT_WRITEDATA, context)
                custody_curl_set_io(handle, CURLOPT_READFUNCTION) { data, size, count, context in
                    let buffers = Unmanaged<Buffers>.fromOpaque(context!).takeUnretainedValue()
                    let length = min(size * count, buffers.bytes.count - buffers.offset)
                    guard length > 0, let data else { return 0 }
                    buffers.bytes.withUnsafeBytes { source in
                        UnsafeMutableRawPointer(data).copyMemory(
                            from: source.baseAddress! + buffers.offset, byteCount: length)
                    }
                    buffers.offset += length
                    return length
                }
                custody_curl_set_pointer(handle, CURLOPT_READDATA, context)
                configure(handle, buffers)
                let code = curl_easy_perform(handle)
                guard code == CURLE_OK else {
                    if buffers.overflowed {
                        throw TransportError(message: "\(url): response larger than \(maxResponseBytes) bytes")
                    }
                    let detail = String(cString: errorBuffer.baseAddress!)
                    let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
                    throw TransportError(message: "\(url): \(reason)")
                }
                var status = 0
                custody_curl_response_code(handle, &status)
                return HTTPResponse(status: status, body: buffers.response)
            }
        }
    }
}
