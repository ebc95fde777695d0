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
        guard let parts = PackageURL.components(package) else { return package }
        let type = parts.type.lowercased()
        guard let path = parts.path else { return "pkg:" + type }
        return "pkg:\(type)/\(type == "pypi" ? pythonName(String(path)) : String(path))"
    }

    /// A Python package name as PEP 503 normalises it: lower case, each run of `-`, `_` and `.`
    /// one `-` (`Zope.Interface` -> `zope-interface`).
    public static func pythonName(_ name: String) -> String {
        var out = ""
        var lastWasSeparator = false
        for character in name.lowercased() {
            if "-_.".contains(character) {
                if !lastWasSeparator { out.append("-") }
                lastWasSeparator = true
            } else {
                out.append(character)
                lastWasSeparator = false
            }
        }
        return out
    }

    /// Scanners write `1.2.3` where Go writes `v1.2.3`, and the reverse: the same version.
    public static func sameVersion(_ a: String, _ b: String) -> Bool {
        a == b || (a.hasPrefix("v") && a.dropFirst() == b) || (b.hasPrefix("v") && b.dropFirst() == a)
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
