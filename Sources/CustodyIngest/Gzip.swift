import CZlib
import CustodyCore

/// gzip-compressed input, told by its magic bytes and inflated in memory with zlib: reports and
/// feeds (EPSS's daily `.csv.gz`) alike.
enum Gzip {
    static func isCompressed(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// gzip (or zlib) data inflated, refusing more than `limit` bytes of output.
    static func inflate(_ bytes: UnsafeBufferPointer<UInt8>, file: String, limit: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Diagnostic(file: file, message: "cannot start reading gzip")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        stream.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress)
        stream.avail_in = UInt32(bytes.count)
        while true {
            let (code, produced) = chunk.withUnsafeMutableBufferPointer { buffer -> (Int32, Int) in
                stream.next_out = buffer.baseAddress
                stream.avail_out = UInt32(buffer.count)
                let code = CZlib.inflate(&stream, Z_NO_FLUSH)
                return (code, buffer.count - Int(stream.avail_out))
            }
            output += chunk[0..<produced]
            guard output.count <= limit else {
                throw Diagnostic(file: file, message: "cannot read: over the limit of \(limit) bytes (uncompressed)")
            }
            if code == Z_STREAM_END { return output }
            guard code == Z_OK else {
                throw Diagnostic(
                    file: file,
                    message: "a gzip stream that ends early or is damaged (after \(output.count) bytes of output)")
            }
            if stream.avail_in == 0 && produced == 0 {
                throw Diagnostic(file: file, message: "a gzip stream that ends early (after \(output.count) bytes)")
            }
        }
    }
}
