import CustodyCore
import CustodyJSON

/// SARIF 2.1.0 (OASIS): every run, its driver and extension rules, and each result with
/// level fallback, security-severity, CWE/CVE tags, resolved locations, suppressions,
/// baseline state and fingerprints.
public struct SARIFReader: ReportReader {
    public let format = ReportFormat.sarif

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        guard source.rootMembers != nil else { return false }
        if let span = source.rootMember("version"), let version = try? source.value(span).string,
            version.hasPrefix("2.1"), source.rootMember("runs") != nil
        {
            return true
        }
        if let span = source.rootMember("$schema"), let schema = try? source.value(span).string {
            return schema.lowercased().contains("sarif")
        }
        return false
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        let file = source.file
        func fail(_ place: String, _ message: String) -> Diagnostic {
            Diagnostic(file: file, place: place, message: message)
        }
        guard source.rootMembers != nil else {
            throw fail(
                "$",
                "expected a SARIF log object, found \(source.kind(of: source.input.whole).map { "\($0)" } ?? "nothing")"
            )
        }
        guard let versionSpan = source.rootMember("version") else {
            throw fail("$.version", "missing; SARIF requires \"2.1.0\"")
        }
        let version = try source.value(versionSpan)
        guard version.string == "2.1.0" else {
            throw fail(
                "$.version",
                "unsupported SARIF version \(version.string.map { "\"\($0)\"" } ?? "\(version.kind)"); expected \"2.1.0\""
            )
        }
        guard let runsSpan = source.rootMember("runs") else { throw fail("$.runs", "missing") }
        var summary = ReportSummary(format: .sarif, runs: [], skipped: 0, warnings: [])
        switch source.kind(of: runsSpan) {
        case .null: return summary
        case .array: break
        case let other: throw fail("$.runs", "expected an array, found \(other.map { "\($0)" } ?? "nothing")")
        }
        let contextParser = JSONParser(maxDepth: source.limits.maxDepth)
        for (runIndex, runSpan) in try source.elements(of: runsSpan).enumerated() {
            let base = "$.runs[\(runIndex)]"
            guard source.kind(of: runSpan) == .object else {
                throw fail(base, "expected an object, found \(source.kind(of: runSpan).map { "\($0)" } ?? "nothing")")
            }
            let members = try source.members(of: runSpan)
            func member(_ key: String) throws -> JSONValue? {
                guard let span = members.first(where: { $0.key == key })?.span else { return nil }
                return try source.value(span, using: contextParser)
            }
            var context = try RunContext(member: member, place: base, file: file)
            let invocation = try member("invocations")?.array?.first(where: { _ in true })
            let startedAt = try Fields(file: file).time(
                invocation?["startTimeUtc"], base + ".invocations[0].startTimeUtc")
            try emit(.run(tool: context.tool, version: context.toolVersion, startedAt: startedAt))
            var resultCount = 0
            var distrusted = 0
            if let resultsSpan = members.first(where: { $0.key == "results" })?.span,
                source.kind(of: resultsSpan) != .null
            {
                guard source.kind(of: resultsSpan) == .array else {
                    throw fail(
                        "\(base).results",
                        "expected an array, found \(source.kind(of: resultsSpan).map { "\($0)" } ?? "nothing")")
                }
                let resultSpans = try source.elements(of: resultsSpan)
                let shared = try Self.sharedFingerprints(resultSpans, in: source)
                // One small document per result: memory stays flat however many there are.
                for (resultIndex, resultSpan) in resultSpans.enumerated() {
                    resultCount += 1
                    let place = ResultPlace(base: base, index: resultIndex)
                    let result = try source.value(resultSpan)
                    if var finding = try context.finding(from: result, place: place) {
                        if shared.count > 0, let claim = SharedFingerprints.claim({ result[$0] }),
                            shared.isShared(claim)
                        {
                            finding.toolFingerprintsShared = true
                            distrusted += 1
                        }
                        try emit(.finding(finding))
                    } else {
                        summary.skipped += 1
                    }
                }
            }
            if distrusted > 0 {
                context.warnings.append(
                    Diagnostic(
                        .warning, file: file, place: "\(base).results",
                        message:
                            "\(distrusted) results share a tool fingerprint with results elsewhere in their file "
                            + "under their rule: those fingerprints are ignored and the results' content identifies them"
                    ))
            }
            summary.warnings += context.warnings
            summary.runs.append(
                ToolRun(
                    tool: context.tool, version: context.toolVersion, ruleCount: context.ruleCount,
                    resultCount: resultCount))
        }
        return summary
    }
}

extension SARIFReader {
    /// The fingerprint values of a run's results that are shared by results at different places
    /// (see `SharedFingerprints`). Only the members a claim needs are parsed, and only for results
    /// that carry fingerprints.
    static func sharedFingerprints(_ results: [JSONSpan], in source: ReportSource) throws -> SharedFingerprints {
        var shared = SharedFingerprints()
        for span in results where source.kind(of: span) == .object {
            let members = try source.members(of: span)
            guard members.contains(where: { $0.key == "partialFingerprints" || $0.key == "fingerprints" }) else {
                continue
            }
            let claim = try SharedFingerprints.claim { key in
                let name = key.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
                guard let member = members.first(where: { $0.key == name }) else { return nil }
                return try source.value(member.span)
            }
            if let claim { shared.note(claim) }
        }
        return shared
    }
}

/// Where a result is, turned into a JSON path only when something is wrong.
struct ResultPlace {
    let base: String
    let index: Int

    func path(_ suffix: String = "") -> String { "\(base).results[\(index)]\(suffix)" }
}

/// A rule's facts that results inherit.
struct SARIFRule {
    var id: String
    var name: String?
    var defaultLevel: String?
    var securitySeverity: SecuritySeverity?
    var cwes: [String]
    var cves: [String]
    var messageStrings: [String: String]
    /// Tagged `security` (CodeQL, Semgrep) or given a security severity.
    var security = false
}

enum SecuritySeverity {
    case score(Double)
    case word(Severity)
}

/// Everything about one run that its results refer to: tool, rules, artifacts, base URIs.
struct RunContext {
    let file: String
    var tool: String
    var toolVersion: String?
    /// The scanner's own meaning of SARIF levels (``ToolIdentity/sarifLevels(tool:)``), if any.
    var levelSeverities: [String: Severity]?
    /// Rules by tool component (0 = driver, n = extensions[n-1]) and index.
    var componentRules: [[SARIFRule]] = []
    var rulesByID: [String: SARIFRule] = [:]
    var artifacts: [(uri: String?, baseID: String?)] = []
    var baseURIs: [String: (uri: String?, baseID: String?)] = [:]
    var globalMessageStrings: [String: String] = [:]
    var resolvedBases: [String: String] = [:]
    var warnings: [Diagnostic] = []

    var ruleCount: Int { componentRules.reduce(0) { $0 + $1.count } }

    /// Reads what results refer to. `member` parses one member of the run object on demand;
    /// each value is consumed before the next is asked for.
    init(member: (String) throws -> JSONValue?, place: String, file: String) throws {
        self.file = file
        let toolValue = try member("tool")
        let driver = toolValue?["driver"]
        let name = driver?["name"]?.string ?? ""
        let fullName = driver?["fullName"]?.string ?? ""
        tool = !name.isEmpty ? name : (!fullName.isEmpty ? fullName : "unknown")
        levelSeverities = ToolIdentity.sarifLevels(tool: tool)
        toolVersion = driver?["version"]?.string ?? driver?["semanticVersion"]?.string
        if let strings = driver?["globalMessageStrings"] { globalMessageStrings = Self.messageStrings(strings) }

        var components: [JSONValue?] = [driver]
        if let extensions = toolValue?["extensions"]?.array {
            for element in extensions { components.append(element) }
        }
        for (componentIndex, component) in components.enumerated() {
            var rules: [SARIFRule] = []
            let componentPath =
                "\(place).tool." + (componentIndex == 0 ? "driver" : "extensions[\(componentIndex - 1)]")
            if let list = component?["rules"] {
                guard let elements = list.array else {
                    throw Diagnostic(
                        file: file, place: "\(componentPath).rules", message: "expected an array, found \(list.kind)")
                }
                for (ruleIndex, element) in elements.enumerated() {
                    let rule = try Self.rule(element, place: "\(componentPath).rules[\(ruleIndex)]", file: file)
                    rules.append(rule)
                    if rulesByID[rule.id] == nil { rulesByID[rule.id] = rule }
                }
            }
            componentRules.append(rules)
        }
        if let list = try member("artifacts")?.array {
            for element in list {
                let location = element["location"]
                artifacts.append((location?["uri"]?.string, location?["uriBaseId"]?.string))
            }
        }
        if let bases = try member("originalUriBaseIds")?.object {
            for (key, value) in bases {
                baseURIs[key] = (value["uri"]?.string, value["uriBaseId"]?.string)
            }
        }
    }

    private static func messageStrings(_ value: JSONValue) -> [String: String] {
        var out: [String: String] = [:]
        if let members = value.object {
            for (key, message) in members { out[key] = message["text"]?.string ?? message["markdown"]?.string }
        }
        return out
    }

    private static func rule(_ value: JSONValue, place: String, file: String) throws -> SARIFRule {
        guard value.kind == .object else {
            throw Diagnostic(file: file, place: place, message: "expected a rule object, found \(value.kind)")
        }
        let id = value["id"]?.string ?? ""
        var rule = SARIFRule(
            id: id, name: value["name"]?.string ?? value["shortDescription"]?["text"]?.string,
            defaultLevel: value["defaultConfiguration"]?["level"]?.string, securitySeverity: nil,
            cwes: [], cves: [], messageStrings: [:])
        if let strings = value["messageStrings"] { rule.messageStrings = messageStrings(strings) }
        let properties = value["properties"]
        rule.securitySeverity = securitySeverity(properties?["security-severity"])
        var tags: [String] = []
        if let list = properties?["tags"]?.array {
            for tag in list { if let text = tag.string { tags.append(text) } }
        }
        if let cwe = properties?["cwe"] {
            if let text = cwe.string { tags.append(text) }
            if let list = cwe.array { for item in list { if let text = item.string { tags.append(text) } } }
        }
        if let relationships = value["relationships"]?.array {
            for relation in relationships {
                let target = relation["target"]
                if let component = target?["toolComponent"]?["name"]?.string, component.uppercased() == "CWE",
                    let targetID = target?["id"]?.string
                {
                    tags.append("CWE-\(targetID)")
                }
            }
        }
        rule.security =
            rule.securitySeverity != nil || tags.contains { $0.lowercased() == "security" }
        rule.cwes = Tags.cwes(in: tags)
        rule.cves = Tags.cves(in: [id] + tags)
        return rule
    }

    static func securitySeverity(_ value: JSONValue?) -> SecuritySeverity? {
        guard let value else { return nil }
        if let number = value.double { return .score(number) }
        guard let text = value.string?.trimmingSpaces, !text.isEmpty else { return nil }
        if let number = Double(text) { return .score(number) }
        if let word = Severity(word: text) { return .word(word) }
        return nil
    }

    /// Resolves a base id through `originalUriBaseIds` to the path it stands for, relative to the
    /// outermost base (which is taken to be the repository root). Cycles and unknown ids end the chain.
    mutating func basePath(_ id: String) -> String {
        if let cached = resolvedBases[id] { return cached }
        var parts: [String] = []
        var current: String? = id
        var seen = Set<String>()
        while let key = current, seen.insert(key).inserted, let entry = baseURIs[key] {
            if let uri = entry.uri?.trimmingSpaces, !uri.isEmpty {
                // An absolute URI is the root itself: what is below it is repository-relative.
                if uri.contains("://") || uri.hasPrefix("/") || uri.hasPrefix("file:") { break }
                parts.insert(uri, at: 0)
            }
            current = entry.baseID
        }
        let path = parts.joined(separator: "/")
        resolvedBases[id] = path
        return path
    }

    mutating func finding(from result: JSONValue, place: ResultPlace) throws -> NormalizedFinding? {
        func fail(_ suffix: String, _ message: String) -> Diagnostic {
            Diagnostic(file: file, place: place.path(suffix), message: message)
        }
        guard result.kind == .object else { throw fail("", "expected a result object, found \(result.kind)") }
        let kind = result["kind"]?.string ?? "fail"
        if kind == "pass" || kind == "notApplicable" { return nil }

        // Which rule: ruleIndex / rule.index (with its tool component), else ruleId.
        var rule: SARIFRule?
        var ruleID = result["ruleId"]?.string
        if let value = result["ruleId"], ruleID == nil, !value.isNull {
            throw fail(".ruleId", "expected a string, found \(value.kind)")
        }
        let reference = result["rule"]
        if ruleID == nil { ruleID = reference?["id"]?.string }
        var component = 0
        if let index = reference?["toolComponent"]?["index"]?.int { component = index + 1 }
        let ruleIndex = result["ruleIndex"]?.int ?? reference?["index"]?.int
        if let ruleIndex, ruleIndex >= 0 {
            if component < componentRules.count, ruleIndex < componentRules[component].count {
                rule = componentRules[component][ruleIndex]
            } else if ruleID == nil {
                throw fail(
                    ".ruleIndex",
                    "rule index \(ruleIndex) is out of range (the tool component has \(component < componentRules.count ? componentRules[component].count : 0) rules) and the result has no ruleId"
                )
            } else if warnings.count < 100 {
                // Real logs do this (an empty rules array with ruleIndex 0): the ruleId still names the rule.
                warnings.append(
                    Diagnostic(
                        .warning, file: file, place: place.path(".ruleIndex"),
                        message: "rule index \(ruleIndex) is out of range; using ruleId \"\(ruleID!)\""))
            }
        }
        if rule == nil, let ruleID {
            rule = rulesByID[ruleID] ?? ruleID.split(separator: "/").first.flatMap { rulesByID[String($0)] }
        }
        // A result may name no rule at all (SARIF 3.27.5; Gitleaks 7 writes them so): its message
        // then stands for the rule, so identity and listings still say what was found.
        let messageText = self.message(result["message"], rule: rule)
        guard let id = ruleID ?? rule?.id ?? messageText.map({ String($0.prefix(120)) }), !id.isEmpty else {
            throw fail(".ruleId", "result names no rule (no ruleId, ruleIndex or message)")
        }

        // Level: the result's, else the rule's default, else warning (only for kind fail).
        var level: String? = result["level"]?.string
        if let value = result["level"], level == nil { throw fail(".level", "expected a string, found \(value.kind)") }
        if let given = level, Severity(sarifLevel: given) == nil {
            throw fail(".level", "unknown level \"\(given)\" (expected error, warning, note or none)")
        }
        if level == nil { level = rule?.defaultLevel ?? (kind == "fail" ? "warning" : "none") }

        var score: Double?
        var severity = levelSeverities?[level ?? "warning"] ?? Severity(sarifLevel: level ?? "warning") ?? .medium
        let ownSeverity = RunContext.securitySeverity(result["properties"]?["security-severity"])
        switch ownSeverity ?? rule?.securitySeverity {
        case .score(let value)?:
            score = value
            severity = Severity(score: value)
        case .word(let word)?:
            severity = word
        case nil:
            break
        }

        let message = messageText ?? rule?.name ?? id

        // Location: the first physical location, through artifact index and base ids.
        var path: String?
        var line: Int?
        var column: Int?
        var snippet: String?
        if let locations = result["locations"], !locations.isNull {
            guard let list = locations.array else {
                throw fail(".locations", "expected an array, found \(locations.kind)")
            }
            if let first = list.first(where: { _ in true }) {
                if let physical = first["physicalLocation"] {
                    let artifact = physical["artifactLocation"]
                    var uri = artifact?["uri"]?.string
                    var baseID = artifact?["uriBaseId"]?.string
                    if let index = artifact?["index"]?.int {
                        guard index >= 0, index < artifacts.count else {
                            throw fail(
                                ".locations[0].physicalLocation.artifactLocation.index",
                                "artifact index \(index) is out of range (run has \(artifacts.count) artifacts)")
                        }
                        uri = uri ?? artifacts[index].uri
                        baseID = baseID ?? artifacts[index].baseID
                    }
                    if let uri {
                        let prefix = baseID.map { basePath($0) } ?? ""
                        let normalized = RepositoryPath.normalize(prefix.isEmpty ? uri : prefix + "/" + uri)
                        path = normalized.isEmpty ? nil : normalized  // the repository root itself: no file
                    }
                    let region = physical["region"]
                    if let value = region?["startLine"], !value.isNull {
                        guard let number = value.int else {
                            throw fail(
                                ".locations[0].physicalLocation.region.startLine",
                                "expected an integer, found \(value.kind)")
                        }
                        line = number
                    }
                    column = region?["startColumn"]?.int
                    snippet =
                        region?["snippet"]?["text"]?.string ?? physical["contextRegion"]?["snippet"]?["text"]?.string
                }
            }
        }

        var fingerprints: [String: String] = [:]
        for key in ["partialFingerprints", "fingerprints"] as [StaticString] {
            if let members = result[key]?.object {
                for (name, value) in members {
                    if let text = value.string { fingerprints[name] = text }
                }
            }
        }

        var suppressions: [Suppression] = []
        if let list = result["suppressions"]?.array {
            for entry in list {
                suppressions.append(
                    Suppression(
                        kind: entry["kind"]?.string ?? "external",
                        status: entry["status"]?.string ?? entry["state"]?.string,
                        justification: entry["justification"]?.string))
            }
        }

        var cwes = rule?.cwes ?? []
        var cves = rule?.cves ?? []
        if rule == nil { cves = Tags.cves(in: [id]) }
        if let tags = result["properties"]?["tags"]?.array {
            let extra = tags.compactMap(\.string)
            cwes = Tags.merge(cwes, Tags.cwes(in: extra))
            cves = Tags.merge(cves, Tags.cves(in: extra))
        }

        var finding = NormalizedFinding(
            tool: tool, toolVersion: toolVersion, ruleID: id, ruleName: rule?.name, message: message,
            severity: severity, score: score, level: level, cwes: cwes, cves: cves, path: path, line: line,
            column: column, snippet: snippet, toolFingerprints: fingerprints, suppressions: suppressions,
            baselineState: result["baselineState"]?.string)
        (finding.package, finding.packageVersion) = Self.package(result["properties"], message: message)
        let resultTags = result["properties"]?["tags"]?.array?.compactMap(\.string) ?? []
        finding.securityTagged =
            rule?.security == true || ownSeverity != nil || resultTags.contains { $0.lowercased() == "security" }
        return finding
    }

    /// The package a dependency result is about: from its properties (`purl`, or a package name
    /// with `version` / `installedVersion`), else from Trivy's message convention
    /// ("Package: X" and "Installed Version: Y" lines).
    static func package(_ properties: JSONValue?, message: String) -> (String?, String?) {
        if let purl = properties?["purl"]?.string, purl.hasPrefix("pkg:") {
            return (purl, properties?["installedVersion"]?.string ?? PackageURL.version(purl))
        }
        let name = properties?["packageName"]?.string ?? properties?["package"]?.string
        let version =
            properties?["installedVersion"]?.string ?? properties?["packageVersion"]?.string
            ?? properties?["version"]?.string
        if let name, let version { return (name, version) }
        guard message.hasPrefix("Package: ") else { return (nil, nil) }
        var found: (String?, String?) = (nil, nil)
        for line in message.split(separator: "\n") {
            if line.hasPrefix("Package: ") { found.0 = line.dropFirst(9).trimmingCharacters(in: .whitespaces) }
            if line.hasPrefix("Installed Version: ") {
                found.1 = line.dropFirst(19).trimmingCharacters(in: .whitespaces)
            }
        }
        return found.0 != nil && found.1 != nil ? found : (nil, nil)
    }

    /// `message.text`, or the rule's (or driver's) message string `message.id` with `{n}` arguments filled in.
    private func message(_ value: JSONValue?, rule: SARIFRule?) -> String? {
        guard let value else { return nil }
        if let text = value["text"]?.string { return text }
        if let markdown = value["markdown"]?.string { return markdown }
        guard let id = value["id"]?.string,
            let template = rule?.messageStrings[id] ?? globalMessageStrings[id]
        else { return nil }
        let arguments = value["arguments"]?.array.map { $0.map { $0.string ?? "" } } ?? []
        var text = template
        for (index, argument) in arguments.enumerated() {
            text = text.replacingOccurrences(of: "{\(index)}", with: argument)
        }
        return text
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while scalars.first?.isWhitespace == true { scalars.removeFirst() }
        while scalars.last?.isWhitespace == true { scalars.removeLast() }
        return String(scalars)
    }

    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let range = rest.range(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
