import Foundation

/// How web scanners' URLs become endpoints and assets: the same page is the same endpoint
/// whatever its query, and a site is its host name.
enum WebEndpoint {
    /// A URL without its query and fragment, its scheme and host in lower case: the endpoint.
    static func withoutQuery(_ url: String) -> String {
        let cut = url.firstIndex { $0 == "?" || $0 == "#" }.map { String(url[..<$0]) } ?? url
        guard let scheme = cut.range(of: "://") else { return cut }
        let authorityEnd = cut[scheme.upperBound...].firstIndex(of: "/") ?? cut.endIndex
        return cut[..<authorityEnd].lowercased() + cut[authorityEnd...]
    }

    /// A site's host name as an asset: lower case, without a scheme, port or path.
    static func host(_ text: String) -> String {
        var rest = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased())
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if !rest.hasPrefix("["), let colon = rest.lastIndex(of: ":") { rest = rest[..<colon] }
        return String(rest)
    }
}
