import CustodyCore
import CustodyJSON
import Foundation

/// Dependency manifests and lock files: which version of each package a file pins, and on
/// which line, so the commit that introduced a vulnerable version can be found in its history.
///
/// Names are compared in each ecosystem's canonical form (``DependencyManifest/canonicalName(_:)``):
/// Python names per PEP 503 (lower case, runs of `-_.` as one `-`), Composer names in lower case,
/// Maven as `group:artifact`; a package URL (`pkg:npm/%40scope/name@1.0`) is accepted too.
public enum DependencyManifest: String, Sendable, CaseIterable {
    case npmLock = "package-lock.json"
    case yarnLock = "yarn.lock"
    case requirements = "requirements.txt"
    case poetryLock = "poetry.lock"
    case goMod = "go.mod"
    case goSum = "go.sum"
    case cargoLock = "Cargo.lock"
    case pom = "pom.xml"
    case gemfileLock = "Gemfile.lock"
    case composerLock = "composer.lock"

    /// The manifest kind of a file, from its name (`requirements-dev.txt` is a requirements file).
    public init?(path: String) {
        let name = String(path.split(separator: "/").last ?? "")
        if name.hasPrefix("requirements"), name.hasSuffix(".txt") {
            self = .requirements
            return
        }
        guard let kind = Self.allCases.first(where: { $0.rawValue == name }) else { return nil }
        self = kind
    }

    /// A pinned version and the line (1-based) of its entry.
    public struct Pin: Sendable, Equatable {
        public var version: String
        public var line: Int

        public init(version: String, line: Int) {
            self.version = version
            self.line = line
        }
    }

    /// Every package the file pins, by canonical name. Unreadable parts are skipped: a manifest
    /// at some old commit may be malformed, and history must still be walked.
    public func pins(in text: String) -> [String: Pin] {
        var pins: [String: Pin] = [:]
        func add(_ name: String, _ version: String, _ line: Int) {
            let key = canonicalName(name)
            guard !key.isEmpty, !version.isEmpty, pins[key] == nil else { return }
            pins[key] = Pin(version: version, line: line)
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? $0.dropLast() : $0
        }
        switch self {
        case .npmLock, .composerLock:
            Self.jsonPins(text, lines: lines, kind: self, add: add)
        case .yarnLock:
            // Entries: an unindented header naming one or more specs ("lodash@^4.17.0", "@babel/core@^7"),
            // then an indented `version "4.17.21"` (v1) or `version: 4.17.21` (berry).
            var names: [String] = []
            var headerLine = 0
            for (index, line) in lines.enumerated() {
                if !line.hasPrefix(" "), line.hasSuffix(":"), !line.hasPrefix("#") {
                    headerLine = index + 1
                    names = line.dropLast().split(separator: ",").compactMap { spec in
                        var spec = spec.trimmingCharacters(in: .whitespaces)
                        spec = spec.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                        guard let at = spec.dropFirst().firstIndex(of: "@") else { return nil }
                        return String(spec[..<at])
                    }
                } else if line.hasPrefix("  version"), !names.isEmpty {
                    var value = line.dropFirst(9).trimmingCharacters(in: .whitespaces)
                    if value.hasPrefix(":") { value = value.dropFirst().trimmingCharacters(in: .whitespaces) }
                    value = value.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    for name in names { add(name, value, headerLine) }
                    names = []
                }
            }
        case .requirements:
            for (index, raw) in lines.enumerated() {
                let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                guard let range = line.range(of: "==") else { continue }
                var name = line[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                if let bracket = name.firstIndex(of: "[") { name = String(name[..<bracket]) }  // extras
                let version = line[range.upperBound...].split(whereSeparator: { " ;\\".contains($0) }).first ?? ""
                add(name, String(version), index + 1)
            }
        case .poetryLock, .cargoLock:
            // TOML tables: [[package]] then name = "..." and version = "...".
            var name: String?
            var start = 0
            func value(_ line: Substring, _ key: String) -> String? {
                guard line.hasPrefix(key) else { return nil }
                let rest = line.dropFirst(key.count).trimmingCharacters(in: .whitespaces)
                guard rest.hasPrefix("=") else { return nil }
                return rest.dropFirst().trimmingCharacters(in: .whitespaces).trimmingCharacters(
                    in: CharacterSet(charactersIn: "\"'"))
            }
            for (index, line) in lines.enumerated() {
                if line == "[[package]]" {
                    name = nil
                    start = index + 1
                } else if let found = value(line, "name") {
                    name = found
                } else if let version = value(line, "version"), let current = name {
                    add(current, version, start)
                    name = nil
                }
            }
        case .goMod:
            var inBlock = false
            for (index, raw) in lines.enumerated() {
                let line = raw.range(of: "//").map { raw[..<$0.lowerBound] } ?? raw
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("require (") {
                    inBlock = true
                    continue
                }
                if inBlock && trimmed == ")" {
                    inBlock = false
                    continue
                }
                var fields = trimmed.split(separator: " ", omittingEmptySubsequences: true)
                if !inBlock {
                    guard fields.first == "require" else { continue }
                    fields.removeFirst()
                }
                if fields.count >= 2, fields[1].hasPrefix("v") { add(String(fields[0]), String(fields[1]), index + 1) }
            }
        case .goSum:
            for (index, line) in lines.enumerated() {
                let fields = line.split(separator: " ")
                guard fields.count >= 3 else { continue }
                let version = fields[1].hasSuffix("/go.mod") ? fields[1].dropLast(7) : fields[1]
                add(String(fields[0]), String(version), index + 1)
            }
        case .gemfileLock:
            // Under "specs:", gems are indented by four spaces: "    rails (7.1.3)".
            for (index, line) in lines.enumerated() where line.hasPrefix("    ") && !line.hasPrefix("     ") {
                let entry = line.dropFirst(4)
                guard let open = entry.firstIndex(of: "("), entry.hasSuffix(")") else { continue }
                let name = entry[..<open].trimmingCharacters(in: .whitespaces)
                add(name, String(entry[entry.index(after: open)..<entry.index(before: entry.endIndex)]), index + 1)
            }
        case .pom:
            // <dependency> blocks: groupId, artifactId, version (properties are not resolved).
            var group: String?
            var artifact: String?
            var version: String?
            var start = 0
            func element(_ line: Substring, _ name: String) -> String? {
                guard let open = line.range(of: "<\(name)>"), let close = line.range(of: "</\(name)>"),
                    open.upperBound <= close.lowerBound
                else { return nil }
                return line[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            var inDependency = false
            for (index, line) in lines.enumerated() {
                if line.contains("<dependency>") {
                    inDependency = true
                    (group, artifact, version, start) = (nil, nil, nil, index + 1)
                }
                guard inDependency else { continue }
                group = element(line, "groupId") ?? group
                artifact = element(line, "artifactId") ?? artifact
                version = element(line, "version") ?? version
                if line.contains("</dependency>") {
                    inDependency = false
                    if let group, let artifact, let version { add("\(group):\(artifact)", version, start) }
                }
            }
        }
        return pins
    }

    private static func jsonPins(
        _ text: String, lines: [Substring], kind: DependencyManifest, add: (String, String, Int) -> Void
    ) {
        guard let document = try? JSONDocument(bytes: Array(text.utf8), maxDepth: 256) else { return }
        let root = document.root
        // The line of an entry: the first line holding its quoted key. Lines are indexed once
        // by the key they open (`"key": {`) and the name they give (`"name": "x"`), so a lock
        // file of n packages costs n lookups, not n scans of every line; a line written some
        // other way is found by the scan.
        var opening: [Substring: Int] = [:]
        var naming: [Substring: Int] = [:]
        for (index, raw) in lines.enumerated() {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            guard line.first == "\"", let close = line.dropFirst().firstIndex(of: "\"") else { continue }
            let key = line[line.index(after: line.startIndex)..<close]
            let rest = line[line.index(after: close)...]
            if rest.hasPrefix(": {"), opening[key] == nil { opening[key] = index + 1 }
            if key == "name", rest.hasPrefix(": \""), let end = rest.dropFirst(3).firstIndex(of: "\"") {
                let value = rest[rest.index(rest.startIndex, offsetBy: 3)..<end]
                if naming[value] == nil { naming[value] = index + 1 }
            }
        }
        func scan(_ needle: String) -> Int { (lines.firstIndex { $0.contains(needle) } ?? -1) + 1 }
        func line(opening key: String) -> Int { opening[Substring(key)] ?? scan("\"\(key)\"") }
        if kind == .composerLock {
            for section in ["packages", "packages-dev"] {
                guard let list = root.member(section)?.array else { continue }
                for package in list {
                    guard let name = package["name"]?.string, let version = package["version"]?.string else {
                        continue
                    }
                    add(name, version, naming[Substring(name)] ?? scan("\"name\": \"\(name)\""))
                }
            }
            return
        }
        // lockfileVersion 2 and 3: "packages": {"node_modules/a/node_modules/b": {"version": ...}};
        // the top-level copy (shortest path) wins. Version 1: nested "dependencies".
        if let packages = root["packages"]?.object {
            let entries = packages.filter { $0.key.hasPrefix("node_modules/") }.sorted { $0.key.count < $1.key.count }
            for (key, entry) in entries {
                guard let version = entry["version"]?.string else { continue }
                let name = key.components(separatedBy: "node_modules/").last ?? key
                add(name, version, line(opening: key))
            }
        }
        func walk(_ dependencies: JSONValue.Members) {
            for (name, entry) in dependencies.sorted(by: { $0.key < $1.key }) {
                if let version = entry["version"]?.string {
                    add(name, version, opening[Substring(name)] ?? scan("\"\(name)\": {"))
                }
                if let nested = entry["dependencies"]?.object { walk(nested) }
            }
        }
        if let dependencies = root["dependencies"]?.object { walk(dependencies) }
    }

    /// The ecosystem's canonical form of a package name (or of a package URL's name).
    public func canonicalName(_ name: String) -> String {
        var name = name
        if let purl = PackageURL.name(name) { name = purl }
        switch self {
        case .requirements, .poetryLock: return DependencyIdentity.pythonName(name)
        case .composerLock: return name.lowercased()
        default: return name
        }
    }
}
