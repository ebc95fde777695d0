/// The parts of a package URL (purl, `pkg:type/namespace/name@version?qualifiers#subpath`) that
/// ownership and dependency attribution need.
public enum PackageURL {
    /// A package URL's type, path (namespace and name, still encoded; nil without a `/`) and
    /// version, qualifiers and subpath dropped; nil when `purl` is not one.
    static func components(_ purl: String) -> (type: Substring, path: Substring?, version: Substring?)? {
        guard purl.hasPrefix("pkg:") else { return nil }
        var rest = Substring(purl).dropFirst(4)
        if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<cut] }
        var version: Substring?
        if let at = rest.lastIndex(of: "@"), rest[..<at].contains("/") {
            version = rest[rest.index(after: at)...]
            rest = rest[..<at]
        }
        guard let slash = rest.firstIndex(of: "/") else { return (rest, nil, version) }
        return (rest[..<slash], rest[rest.index(after: slash)...], version)
    }

    /// The package's name as its ecosystem writes it: `pkg:npm/%40babel/core@7.0.0` -> `@babel/core`,
    /// `pkg:maven/org.x/y@1` -> `org.x:y`, `pkg:golang/github.com/a/b@v1` -> `github.com/a/b`.
    public static func name(_ purl: String) -> String? {
        guard let parts = components(purl), !parts.type.isEmpty, let encoded = parts.path, !encoded.isEmpty else {
            return nil
        }
        let path = decoded(encoded)
        if parts.type == "maven" {
            let segments = path.split(separator: "/")
            return segments.count == 2 ? "\(segments[0]):\(segments[1])" : path
        }
        return path
    }

    /// The version a package URL names, if any.
    public static func version(_ purl: String) -> String? {
        guard let version = components(purl)?.version, !version.isEmpty else { return nil }
        return decoded(version)
    }

    /// Percent-decoding of the ASCII escapes purls use (`%40` for `@`); anything malformed stays.
    static func decoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
