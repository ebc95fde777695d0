/// What makes two dependency findings the same, whichever tool reported them: the
/// vulnerability (by its preferred id among all its aliases), the package (by package URL
/// without version), and the asset (repository or image).
public enum DependencyIdentity {
    /// The id a vulnerability is known by across tools: the lowest CVE among its ids, else the
    /// lowest GHSA, else the first id.
    public static func vulnerabilityKey(_ ids: [String]) -> String? {
        let upper = ids.map { $0.uppercased().hasPrefix("GHSA-") ? "GHSA-" + $0.dropFirst(5).lowercased() : $0 }
        if let cve = upper.filter({ $0.uppercased().hasPrefix("CVE-") }).map({ $0.uppercased() }).min(by: cveOrder) {
            return cve
        }
        if let ghsa = upper.filter({ $0.hasPrefix("GHSA-") }).min() { return ghsa }
        return upper.first
    }

    private static func cveOrder(_ a: String, _ b: String) -> Bool {
        let pa = a.split(separator: "-")
        let pb = b.split(separator: "-")
        guard pa.count == 3, pb.count == 3, let ya = Int(pa[1]), let yb = Int(pb[1]), let na = Int(pa[2]),
            let nb = Int(pb[2])
        else { return a < b }
        return (ya, na) < (yb, nb)
    }

    /// A package URL without version, qualifiers or subpath, its type in lower case (and a Python
    /// name normalised per PEP 503): `pkg:npm/lodash`, `pkg:pypi/django`.
    public static func packageKey(_ package: String) -> String {
        guard package.hasPrefix("pkg:") else { return package }
        var rest = Substring(package.dropFirst(4))
        if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<cut] }
        if let at = rest.lastIndex(of: "@"), rest[..<at].contains("/") { rest = rest[..<at] }
        guard let slash = rest.firstIndex(of: "/") else { return "pkg:" + rest.lowercased() }
        let type = rest[..<slash].lowercased()
        var name = String(rest[rest.index(after: slash)...])
        if type == "pypi" {
            name = name.lowercased().split(whereSeparator: { "-_.".contains($0) }).joined(separator: "-")
        }
        return "pkg:\(type)/\(name)"
    }

    /// A package URL for a package known by ecosystem and name (OSV ecosystems, Grype types).
    public static func packageURL(ecosystem: String, name: String, version: String?) -> String? {
        let lower = ecosystem.lowercased()
        let key = lower.split(separator: ":").first.map(String.init) ?? lower  // "Debian:12" -> debian
        guard let type = purlTypes[key], !name.isEmpty else { return nil }
        var path = name
        if type == "maven" { path = name.replacingOccurrences(of: ":", with: "/") }
        if type == "npm" && path.hasPrefix("@") { path = "%40" + path.dropFirst() }
        return "pkg:\(type)/\(path)" + (version.map { "@\($0)" } ?? "")
    }

    /// Package URL types by ecosystem (OSV) or package type (Grype), lower case.
    static let purlTypes: [String: String] = [
        "npm": "npm", "pypi": "pypi", "python": "pypi", "go": "golang", "go-module": "golang", "golang": "golang",
        "maven": "maven", "java-archive": "maven", "crates.io": "cargo", "rust-crate": "cargo", "cargo": "cargo",
        "rubygems": "gem", "gem": "gem", "packagist": "composer", "php-composer": "composer", "nuget": "nuget",
        "dotnet": "nuget", "deb": "deb", "rpm": "rpm", "apk": "apk", "alpine": "apk", "debian": "deb",
        "ubuntu": "deb", "hex": "hex", "pub": "pub", "swifturl": "swift", "cocoapods": "cocoapods",
    ]
}
