import CustodyCore

/// Backstage catalog files (`catalog-info.yaml`): groups become org units and teams, users
/// become members, and components, systems, resources and APIs become asset rules for the
/// group that owns them (`spec.owner`).
///
/// Entity references are `[<kind>:][<namespace>/]<name>`; an owner reference defaults to kind
/// Group and to the referring entity's namespace, as Backstage's own processor does. Groups of
/// type `team` (or with no type) are teams; other types (department, organisation...) are units.
/// A team's id is its name in the `default` namespace, `namespace/name` elsewhere.
public enum BackstageCatalog {
    public struct Reference: Sendable, Equatable, CustomStringConvertible {
        public var kind: String
        public var namespace: String
        public var name: String

        public init?(_ text: String, defaultKind: String, defaultNamespace: String) {
            var rest = Substring(text.trimmingCharacters(in: " \t"))
            guard !rest.isEmpty else { return nil }
            var kind = defaultKind
            if let colon = rest.firstIndex(of: ":") {
                kind = String(rest[..<colon])
                rest = rest[rest.index(after: colon)...]
            }
            var namespace = defaultNamespace
            if let slash = rest.firstIndex(of: "/") {
                namespace = String(rest[..<slash])
                rest = rest[rest.index(after: slash)...]
            }
            guard !rest.isEmpty, !kind.isEmpty, !namespace.isEmpty else { return nil }
            self.kind = kind.lowercased()
            self.namespace = namespace
            self.name = String(rest)
        }

        /// The Custody id of a group: its name in `default`, `namespace/name` elsewhere.
        public var id: String { namespace == "default" ? name : "\(namespace)/\(name)" }
        public var description: String { "\(kind):\(namespace)/\(name)" }
    }

    /// True when `text` looks like a Backstage catalog file.
    public static func detect(_ text: String) -> Bool {
        text.contains("apiVersion: backstage.io/")
    }

    public static func parse(_ text: String, file: String) throws -> (Organisation, [Diagnostic]) {
        let documents: [YAMLNode]
        do {
            documents = try YAMLNode.parseAll(text)
        } catch let error as YAMLNode.ParseError {
            throw Diagnostic(file: file, place: "line \(error.line)", message: error.message)
        }
        var organisation = Organisation()
        var warnings: [Diagnostic] = []
        var members: [String: [String]] = [:]
        func warn(_ node: YAMLNode, _ message: String) {
            warnings.append(Diagnostic(.warning, file: file, place: "line \(node.line)", message: message))
        }
        for document in documents {
            guard let kind = document["kind"]?.string, let metadata = document["metadata"],
                let name = metadata["name"]?.string
            else {
                throw Diagnostic(
                    file: file, place: "line \(document.line)", message: "a catalog entity needs kind and metadata.name"
                )
            }
            let namespace = metadata["namespace"]?.string ?? "default"
            let spec = document["spec"]
            let selfReference = Reference(
                "\(kind):\(namespace)/\(name)", defaultKind: kind, defaultNamespace: namespace)!
            switch kind.lowercased() {
            case "group":
                let type = spec?["type"]?.string ?? "team"
                let title = spec?["profile"]?["displayName"]?.string ?? metadata["title"]?.string ?? name
                let parent = spec?["parent"]?.string.flatMap {
                    Reference($0, defaultKind: "group", defaultNamespace: namespace)?.id
                }
                if type == "team" {
                    var handles: [String] = []
                    if let email = spec?["profile"]?["email"]?.string, Codeowners.Owner(email) != nil {
                        handles.append(email)
                    }
                    organisation.teams.append(
                        Team(id: selfReference.id, name: title, unitID: parent, handles: handles))
                    for member in spec?["members"]?.items ?? [] {
                        if let user = member.string { members[selfReference.id, default: []].append(user) }
                    }
                } else {
                    organisation.units.append(OrgUnit(id: selfReference.id, name: title, parentID: parent))
                }
            case "user":
                let person = spec?["profile"]?["email"]?.string ?? name
                for group in spec?["memberOf"]?.items ?? [] {
                    guard let text = group.string,
                        let reference = Reference(text, defaultKind: "group", defaultNamespace: namespace)
                    else { continue }
                    members[reference.id, default: []].append(person)
                }
            case "component", "system", "resource", "api", "domain":
                guard let ownerNode = spec?["owner"], let owner = ownerNode.string,
                    let reference = Reference(owner, defaultKind: "group", defaultNamespace: namespace)
                else {
                    warn(document, "\(kind) \(name) has no spec.owner")
                    continue
                }
                guard reference.kind == "group" else {
                    warn(ownerNode, "\(kind) \(name) is owned by \(reference), not a group: no team is accountable")
                    continue
                }
                let source = "\(file) (\(selfReference))"
                organisation.assetRules.append(
                    AssetRule(kind: .component, pattern: selfReference.description, team: reference.id, source: source))
                if let repository = repository(of: metadata) {
                    organisation.assetRules.append(
                        AssetRule(kind: .repository, pattern: repository, team: reference.id, source: source))
                }
            default:
                continue
            }
        }
        for index in organisation.teams.indices {
            organisation.teams[index].members = members[organisation.teams[index].id] ?? []
        }
        return (organisation, warnings)
    }

    /// The repository a component's annotations name: `github.com/project-slug: org/repo`,
    /// `gitlab.com/project-slug`, or the last path part of `backstage.io/source-location`.
    static func repository(of metadata: YAMLNode) -> String? {
        let annotations = metadata["annotations"]
        for key in ["github.com/project-slug", "gitlab.com/project-slug"] {
            if let slug = annotations?[key]?.string, let name = slug.split(separator: "/").last { return String(name) }
        }
        if var location = annotations?["backstage.io/source-location"]?.string {
            if location.hasPrefix("url:") { location.removeFirst(4) }
            let parts = location.split(separator: "/").filter { !$0.isEmpty }
            if let tree = parts.firstIndex(where: { $0 == "tree" || $0 == "blob" || $0 == "-" }), tree > 0 {
                return String(parts[tree - 1])
            }
            if let last = parts.last { return String(last) }
        }
        return nil
    }
}
