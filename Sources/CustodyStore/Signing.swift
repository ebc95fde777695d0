internal import COpenSSL
import Foundation

/// Ed25519 keys and signatures (OpenSSL) for ledger checkpoints.
public enum Signing {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// A new key pair as PEM text: (private, public).
    public static func generateKeyPair() throws -> (privateKey: String, publicKey: String) {
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else { throw Failure(message: "no Ed25519") }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_keygen(context, &key) == 1, let key else {
            throw Failure(message: "cannot generate an Ed25519 key")
        }
        defer { EVP_PKEY_free(key) }
        return (
            try pem { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) },
            try pem { PEM_write_bio_PUBKEY($0, key) }
        )
    }

    private static func pem(_ write: (OpaquePointer) -> Int32) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw Failure(message: "out of memory") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw Failure(message: "cannot write the key") }
        var data: UnsafeMutablePointer<CChar>?
        let length = custody_bio_mem_data(bio, &data)
        guard let data, length > 0 else { throw Failure(message: "cannot write the key") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }

    private static func loadKey(_ pemText: String, isPrivate: Bool) throws -> OpaquePointer {
        var text = pemText
        let key: OpaquePointer? = text.withUTF8 { bytes in
            guard let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count)) else { return nil }
            defer { BIO_free(bio) }
            return isPrivate ? PEM_read_bio_PrivateKey(bio, nil, nil, nil) : PEM_read_bio_PUBKEY(bio, nil, nil, nil)
        }
        guard let key, EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 else {
            if let key { EVP_PKEY_free(key) }
            throw Failure(message: "not an Ed25519 \(isPrivate ? "private" : "public") key in PEM form")
        }
        return key
    }

    /// The signature of `message` with the PEM private key, in hex.
    public static func sign(_ message: String, privateKey: String) throws -> String {
        let key = try loadKey(privateKey, isPrivate: true)
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { throw Failure(message: "out of memory") }
        defer { EVP_MD_CTX_free(context) }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = signature.count
        var message = message
        let status = message.withUTF8 { bytes in
            guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1 else { return Int32(0) }
            return EVP_DigestSign(context, &signature, &length, bytes.baseAddress, bytes.count)
        }
        guard status == 1 else { throw Failure(message: "signing failed") }
        return signature.prefix(length).map { String(format: "%02x", $0) }.joined()
    }

    /// True when `signature` (hex) is the PEM public key's signature of `message`.
    public static func verify(_ message: String, signature: String, publicKey: String) throws -> Bool {
        let key = try loadKey(publicKey, isPrivate: false)
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { throw Failure(message: "out of memory") }
        defer { EVP_MD_CTX_free(context) }
        var bytes: [UInt8] = []
        var index = signature.startIndex
        while index < signature.endIndex {
            let next = signature.index(index, offsetBy: 2, limitedBy: signature.endIndex) ?? signature.endIndex
            guard let byte = UInt8(signature[index..<next], radix: 16) else { return false }
            bytes.append(byte)
            index = next
        }
        var message = message
        return message.withUTF8 { text in
            guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else { return false }
            return EVP_DigestVerify(context, bytes, bytes.count, text.baseAddress, text.count) == 1
        }
    }

    /// A short name for a public key: the first 16 hex digits of SHA-256 of its PEM text.
    public static func keyID(_ publicKey: String) -> String {
        String(Ledger.sha256(publicKey.trimmingCharacters(in: .whitespacesAndNewlines)).prefix(16))
    }
}
