internal import COpenSSL
import CustodyCore

/// The chain of custody's hashing rules.
///
/// An event's canonical bytes are compact JSON with the keys in this order:
/// `{"seq":N,"at":"...","kind":"...","finding":N|null,"scan":N|null,"actor":"...","payload":P,"prev":"H"}`
/// where P is the payload exactly as stored (itself written with a fixed key order) and H the
/// previous event's hash (64 zeros for the first). The event's hash is SHA-256 of those bytes,
/// in lower-case hex. Changing, removing, inserting or reordering any event breaks the chain at
/// that point: `verify` names the first sequence number that does not hold and why.
public enum Ledger {
    public static let genesis = String(repeating: "0", count: 64)

    /// The bytes a checkpoint's signature covers.
    public static func checkpointMessage(sequence: Int64, head: String, at: String, keyID: String) -> String {
        "{\"checkpoint\":\(sequence),\"head\":\"\(head)\",\"at\":\"\(at)\",\"key\":\"\(keyID)\"}"
    }

    /// One stored event with its chain fields.
    public struct Entry: Sendable, Equatable {
        public var sequence: Int64
        public var at: String
        public var kind: String
        public var findingID: Int64?
        public var scanID: Int64?
        public var actor: String
        public var payload: String
        public var previousHash: String
        public var hash: String
    }

    /// What `verify` found.
    public struct Report: Sendable, Equatable {
        public var count: Int
        public var head: String
        /// Checkpoints whose signature and head were checked.
        public var checkpoints = 0
        /// The first event that does not hold, and why; nil when the whole chain holds.
        public var broken: (sequence: Int64, reason: String)?
        /// The newest checkpoint that held: the event it signs, when, and the key's id.
        public var lastCheckpoint: (sequence: Int64, at: String, keyID: String)?

        public static func == (lhs: Report, rhs: Report) -> Bool {
            lhs.count == rhs.count && lhs.head == rhs.head && lhs.broken?.sequence == rhs.broken?.sequence
                && lhs.broken?.reason == rhs.broken?.reason
        }
    }

    public static func canonical(
        sequence: Int64, at: String, kind: String, findingID: Int64?, scanID: Int64?, actor: String, payload: String,
        previousHash: String
    ) -> String {
        var (at, kind, actor, payload, previousHash) = (at, kind, actor, payload, previousHash)
        var buffer: [UInt8] = []
        at.withUTF8 { at in
            kind.withUTF8 { kind in
                actor.withUTF8 { actor in
                    payload.withUTF8 { payload in
                        previousHash.withUTF8 { previousHash in
                            writeCanonical(
                                into: &buffer, sequence: sequence, at: at, kind: kind, findingID: findingID,
                                scanID: scanID, actor: actor, payload: payload, previousHash: previousHash)
                        }
                    }
                }
            }
        }
        return String(decoding: buffer, as: UTF8.self)
    }

    /// The one writer of canonical bytes: the appender (through `canonical`) and the verifier
    /// (from SQLite's column buffers, without Strings) both use it, so they cannot drift apart.
    static func writeCanonical(
        into buffer: inout [UInt8], sequence: Int64, at: UnsafeBufferPointer<UInt8>?, kind: UnsafeBufferPointer<UInt8>?,
        findingID: Int64?, scanID: Int64?, actor: UnsafeBufferPointer<UInt8>?, payload: UnsafeBufferPointer<UInt8>?,
        previousHash: UnsafeBufferPointer<UInt8>?
    ) {
        func append(_ text: String) { buffer.append(contentsOf: text.utf8) }
        func appendQuoted(_ bytes: UnsafeBufferPointer<UInt8>?) {
            guard let bytes else {
                append("\"\"")
                return
            }
            // Plain ASCII (the usual timestamps, kinds and actors) needs no escaping: copy it.
            if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
                buffer.append(UInt8(ascii: "\""))
                buffer.append(contentsOf: bytes)
                buffer.append(UInt8(ascii: "\""))
            } else {
                var text = ""
                JSONText.quote(String(decoding: bytes, as: UTF8.self), into: &text)
                append(text)
            }
        }
        append("{\"seq\":\(sequence),\"at\":")
        appendQuoted(at)
        append(",\"kind\":")
        appendQuoted(kind)
        append(",\"finding\":" + (findingID.map(String.init) ?? "null"))
        append(",\"scan\":" + (scanID.map(String.init) ?? "null") + ",\"actor\":")
        appendQuoted(actor)
        append(",\"payload\":")
        if let payload { buffer.append(contentsOf: payload) }
        append(",\"prev\":\"")
        if let previousHash { buffer.append(contentsOf: previousHash) }
        append("\"}")
    }

    /// SHA-256 (OpenSSL) of `text`'s UTF-8 bytes, in hex.
    public static func sha256(_ text: String) -> String {
        var text = text
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        text.withUTF8 { bytes in
            _ = EVP_Digest(bytes.baseAddress, bytes.count, &digest, &length, EVP_sha256(), nil)
        }
        return SHA256.hexString(digest)
    }

    /// Builds canonical bytes and checks one event without making Strings: the verifier's loop,
    /// which must keep up with a million events in about two seconds.
    struct StreamingVerifier {
        private var buffer: [UInt8] = []
        private var previous = Array(genesis.utf8)
        private var digest = [UInt8](repeating: 0, count: 32)
        private var hex = [UInt8](repeating: 0, count: 64)
        private var expected: Int64 = 1
        private(set) var count = 0
        private(set) var broken: (sequence: Int64, reason: String)?
        var head: String { String(decoding: previous, as: UTF8.self) }

        init() { buffer.reserveCapacity(4096) }

        /// Checks the next event; false once the chain is broken.
        mutating func check(
            sequence: Int64, at: UnsafeBufferPointer<UInt8>?, kind: UnsafeBufferPointer<UInt8>?, findingID: Int64?,
            scanID: Int64?, actor: UnsafeBufferPointer<UInt8>?, payload: UnsafeBufferPointer<UInt8>?,
            previousHash: UnsafeBufferPointer<UInt8>?, hash: UnsafeBufferPointer<UInt8>?
        ) -> Bool {
            if sequence != expected {
                let reason =
                    sequence > expected
                    ? "events \(expected) to \(sequence - 1) are missing" : "sequence number out of order"
                broken = (sequence, reason)
                return false
            }
            guard let previousHash, previousHash.elementsEqual(previous) else {
                broken = (sequence, "it does not point at the previous event's hash")
                return false
            }
            buffer.removeAll(keepingCapacity: true)
            Ledger.writeCanonical(
                into: &buffer, sequence: sequence, at: at, kind: kind, findingID: findingID, scanID: scanID,
                actor: actor, payload: payload, previousHash: previousHash)
            var length: UInt32 = 0
            buffer.withUnsafeBufferPointer { bytes in
                _ = EVP_Digest(bytes.baseAddress, bytes.count, &digest, &length, EVP_sha256(), nil)
            }
            let digits = Array("0123456789abcdef".utf8)
            for (index, byte) in digest.enumerated() {
                hex[index * 2] = digits[Int(byte >> 4)]
                hex[index * 2 + 1] = digits[Int(byte & 0x0F)]
            }
            guard let hash, hash.elementsEqual(hex) else {
                broken = (sequence, "its hash does not match its content")
                return false
            }
            previous = hex
            expected += 1
            count += 1
            return true
        }
    }
}
