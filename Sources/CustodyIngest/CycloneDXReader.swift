import CustodyCore
import CustodyJSON
import Foundation

/// CycloneDX 1.4 to 1.7 JSON with `vulnerabilities[]`: each vulnerability affecting each
/// component its `affects[].ref` names (a bom-ref, or a BOM-Link `urn:cdx:SERIAL/VERSION#REF`),
/// with ratings (severity, score, CVSS vector), CWEs and the VEX `analysis` (state,
/// justification, response, detail), kept as a suppression when the state says not affected.
public struct CycloneDXReader: ReportReader {
    public let format = ReportFormat.cyclonedx

    public init() {}

    public func detect(_ source: ReportSource) -> Bool {
        source.rootString("bomFormat") == "CycloneDX"
    }

    struct Component {
        var name: String
        var version: String?
        var purl: String?
    }

    public func read(_ source: ReportSource, emit: (ReportItem) throws -> Void) throws -> ReportSummary {
        try source.requireObject()
        let fields = Fields(file: source.file)
        let spec = source.rootString("specVersion") ?? ""
        guard ["1.4", "1.5", "1.6", "1.7"].contains(spec) else {
            throw fields.fail("$.specVersion", "unsupported CycloneDX version '\(spec)' (1.4 to 1.7)")
        }
        // Components by bom-ref, nested ones too; the metadata's component (the product) as well.
        var components: [String: Component] = [:]
        var listed = 0
        func collect(_ value: JSONValue, depth: Int) {
            guard depth < 64 else { return }
            listed += 1
            if let ref = value["bom-ref"]?.string, let name = value["name"]?.string {
                components[ref] = Component(name: name, version: value["version"]?.string, purl: value["purl"]?.string)
            }
            for child in value["components"]?.array.map(Array.init) ?? [] { collect(child, depth: depth + 1) }
        }
        for span in try source.rootArray("components") { collect(try source.value(span), depth: 0) }
        var tool = "CycloneDX"
        var asset: String?
        var timestamp: Date?
        if let span = source.rootMember("metadata") {
            let metadata = try source.value(span)
            timestamp = try fields.time(metadata["timestamp"], "$.metadata.timestamp")
            if let component = metadata["component"] {
                collect(component, depth: 0)
                asset = component["name"]?.string
            }
            // 1.5+: tools.components[]; 1.4: tools[].
            let tools = metadata["tools"]
            tool =
                tools?["components"]?.array?.first(where: { _ in true })?["name"]?.string
                ?? tools?.array?.first(where: { _ in true })?["name"]?.string ?? tool
        }
        try emit(.run(tool: tool, version: spec, startedAt: timestamp))
        var count = 0
        for (index, span) in try source.rootArray("vulnerabilities").enumerated() {
            let item = try source.value(span)
            let at = "$.vulnerabilities[\(index)]"
            try fields.object(item, at)
            let id = try fields.required(item["id"], at + ".id")
            var severity: Severity?
            var score: Double?
            var vectors: [String] = []
            for (r, rating) in try fields.array(item["ratings"], at + ".ratings").enumerated() {
                let rat = "\(at).ratings[\(r)]"
                if let word = try fields.string(rating["severity"], rat + ".severity"),
                    let found = Severity(word: word),
                    found > (severity ?? .info)
                {
                    severity = found
                }
                if let value = try fields.double(rating["score"], rat + ".score") { score = max(score ?? 0, value) }
                if let vector = try fields.string(rating["vector"], rat + ".vector") {
                    let method = rating["method"]?.string ?? ""
                    let prefixed =
                        vector.hasPrefix("CVSS:")
                        ? vector
                        : method == "CVSSv31"
                            ? "CVSS:3.1/" + vector
                            : method == "CVSSv3"
                                ? "CVSS:3.0/" + vector
                                : method == "CVSSv4" ? "CVSS:4.0/" + vector : vector
                    if !vectors.contains(prefixed) { vectors.append(prefixed) }
                }
            }
            let cwes = try fields.array(item["cwes"], at + ".cwes").compactMap { $0.int.map { "CWE-\($0)" } }
            var ids = [id]
            for reference in try fields.array(item["references"], at + ".references") {
                if let other = reference["id"]?.string, !ids.contains(other) { ids.append(other) }
            }
            var suppressions: [Suppression] = []
            if let analysis = item["analysis"] {
                let state = try fields.string(analysis["state"], at + ".analysis.state")
                let justification = try fields.string(analysis["justification"], at + ".analysis.justification")
                // An array in the specification; some producers write one string.
                let responses =
                    try analysis["response"]?.string.map { [$0] }
                    ?? fields.strings(analysis["response"], at + ".analysis.response")
                let detail = try fields.string(analysis["detail"], at + ".analysis.detail")
                if let state {
                    let note = ([justification] + responses.map { Optional($0) } + [detail]).compactMap { $0 }
                    if ["not_affected", "false_positive", "resolved", "resolved_with_pedigree"].contains(state) {
                        suppressions.append(
                            Suppression(
                                kind: "vex", status: state,
                                justification: note.isEmpty ? nil : note.joined(separator: "; ")))
                    }
                }
            }
            let affects = try fields.array(item["affects"], at + ".affects")
            let refs = affects.compactMap { $0["ref"]?.string }
            for ref in refs.isEmpty ? [""] : refs {
                // A BOM-Link names a component of another (or this) BOM after '#'.
                let key = ref.hasPrefix("urn:cdx:") ? String(ref.split(separator: "#", maxSplits: 1).last ?? "") : ref
                let component = components[key]
                var finding = NormalizedFinding(
                    tool: tool, toolVersion: spec, ruleID: id,
                    message: try fields.string(item["description"], at + ".description")
                        ?? "\(id) in \(component?.name ?? (key.isEmpty ? "the product" : key))",
                    severity: severity ?? score.map(Severity.init(score:)) ?? .medium, score: score, cwes: cwes,
                    cves: ids.filter { $0.hasPrefix("CVE-") }, suppressions: suppressions)
                finding.package = component?.purl ?? component?.name ?? (key.isEmpty ? nil : key)
                finding.packageVersion = component?.version ?? component?.purl.flatMap(PackageURL.version)
                finding.vulnerabilityIDs = ids
                finding.cvssVectors = vectors
                finding.asset = asset
                try emit(.finding(finding))
                count += 1
            }
        }
        // An SBOM without vulnerabilities is on record as a scan, with no findings: say so, as
        // for SPDX, so nobody takes an empty result for a clean bill.
        let warnings =
            count == 0 && source.rootMember("vulnerabilities") == nil
            ? [
                Diagnostic(
                    .warning, file: source.file,
                    message:
                        "a CycloneDX SBOM without vulnerabilities: \(listed) components read, no findings "
                        + "(scan it with a vulnerability scanner, or ingest its VEX/VDR)")
            ] : []
        return ReportSummary(format: .cyclonedx, tool: tool, version: spec, findings: count, warnings: warnings)
    }
}
