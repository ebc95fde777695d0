import CustodyCore
import CustodyJSON

/// VEX documents: OpenVEX 0.2 (`statements[]`) and CSAF 2.0 VEX (`document.category:
/// csaf_vex`, product tree and `vulnerabilities[].product_status`). They do not report
/// findings; their statements are applied to the findings Custody has (`custody ingest`).
public enum VEXReader {
    public static let maxBytes = 256 << 20

    /// True when `file` is an OpenVEX or CSAF VEX document.
    public static func detect(_ source: ReportSource) -> Bool {
        if let context = source.rootString("@context"), context.contains("openvex") { return true }
        if let span = source.rootMember("document"), let category = try? source.value(span)["category"]?.string {
            return category == "csaf_vex"
        }
        return false
    }

    public static func read(_ source: ReportSource) throws -> [VEXStatement] {
        let fields = Fields(file: source.file)
        if source.rootMember("statements") != nil { return try openVEX(source, fields) }
        return try csaf(source, fields)
    }

    private static func time(_ text: String?, _ place: String, _ fields: Fields) throws -> String? {
        guard let text else { return nil }
        guard let stored = Timestamp.normalize(text) else {
            throw fields.fail(place, "'\(text)' is not an ISO 8601 time")
        }
        return stored
    }

    private static func openVEX(_ source: ReportSource, _ fields: Fields) throws -> [VEXStatement] {
        let documentTime = try time(source.rootString("timestamp"), "$.timestamp", fields)
        let document = source.rootString("@id") ?? source.file
        var statements: [VEXStatement] = []
        for (index, span) in try source.rootArray("statements").enumerated() {
            let item = try source.value(span)
            let at = "$.statements[\(index)]"
            try fields.object(item, at)
            // OpenVEX 0.2 writes objects; earlier documents a plain id and plain product ids.
            let vulnerability = item["vulnerability"]
            let name =
                try vulnerability?.string
                ?? fields.required(vulnerability?["name"] ?? vulnerability?["@id"], at + ".vulnerability.name")
            let ids =
                [name]
                + (vulnerability?.kind == .object
                    ? try fields.strings(vulnerability?["aliases"], at + ".vulnerability.aliases") : [])
            var products: [String] = []
            for (p, product) in try fields.array(item["products"], at + ".products").enumerated() {
                let pat = "\(at).products[\(p)]"
                if let purl = product.string {
                    if purl.hasPrefix("pkg:") { products.append(purl) }
                    continue
                }
                let subcomponents = try fields.array(product["subcomponents"], pat + ".subcomponents")
                // A statement about a product's subcomponent is about that package.
                for entry in subcomponents.isEmpty ? [product] : subcomponents {
                    if let purl = entry["identifiers"]?["purl"]?.string ?? entry["@id"]?.string, purl.hasPrefix("pkg:")
                    {
                        products.append(purl)
                    }
                }
            }
            let statusText = try fields.required(item["status"], at + ".status")
            guard let status = VEXStatement.Status(rawValue: statusText) else {
                throw fields.fail(
                    at + ".status",
                    "unknown status '\(statusText)' (not_affected, affected, fixed, under_investigation)")
            }
            guard
                let timestamp = try time(
                    try fields.string(item["timestamp"], at + ".timestamp"), at + ".timestamp", fields)
                    ?? documentTime
            else { throw fields.fail(at + ".timestamp", "missing, and the document has no timestamp") }
            statements.append(
                VEXStatement(
                    vulnerabilityIDs: ids, products: products, status: status,
                    justification: try fields.string(item["justification"], at + ".justification"),
                    impact: try fields.string(item["impact_statement"], at + ".impact_statement"),
                    action: try fields.string(item["action_statement"], at + ".action_statement"),
                    timestamp: timestamp, document: document))
        }
        return statements
    }

    private static func csaf(_ source: ReportSource, _ fields: Fields) throws -> [VEXStatement] {
        guard let documentSpan = source.rootMember("document") else { throw fields.fail("$.document", "missing") }
        let document = try source.value(documentSpan)
        let tracking = document["tracking"]
        let id = tracking?["id"]?.string ?? source.file
        guard
            let released = try time(
                try fields.string(tracking?["current_release_date"], "$.document.tracking.current_release_date"),
                "$.document.tracking.current_release_date", fields)
        else { throw fields.fail("$.document.tracking.current_release_date", "missing") }
        // Product ids -> package URLs, from every branch of the product tree.
        var purls: [String: String] = [:]
        func walk(_ node: JSONValue, depth: Int) {
            guard depth < 64 else { return }
            if let product = node["product"], let productID = product["product_id"]?.string,
                let purl = product["product_identification_helper"]?["purl"]?.string
            {
                purls[productID] = purl
            }
            for child in node["branches"]?.array.map(Array.init) ?? [] { walk(child, depth: depth + 1) }
            for child in node["full_product_names"]?.array.map(Array.init) ?? [] {
                if let productID = child["product_id"]?.string,
                    let purl = child["product_identification_helper"]?["purl"]?.string
                {
                    purls[productID] = purl
                }
            }
        }
        if let span = source.rootMember("product_tree") { walk(try source.value(span), depth: 0) }
        var statements: [VEXStatement] = []
        for (index, span) in try source.rootArray("vulnerabilities").enumerated() {
            let item = try source.value(span)
            let at = "$.vulnerabilities[\(index)]"
            try fields.object(item, at)
            var ids: [String] = []
            if let cve = try fields.string(item["cve"], at + ".cve") { ids.append(cve) }
            for entry in try fields.array(item["ids"], at + ".ids") {
                if let text = entry["text"]?.string { ids.append(text) }
            }
            guard !ids.isEmpty else { throw fields.fail(at + ".cve", "missing (a vulnerability needs a cve or ids)") }
            // Justification: a flag naming the products, else an impact threat's details.
            var justification: [String: String] = [:]
            for flag in try fields.array(item["flags"], at + ".flags") {
                guard let label = flag["label"]?.string else { continue }
                for product in flag["product_ids"]?.array.map({ $0.compactMap(\.string) }) ?? [] {
                    justification[product] = label
                }
            }
            var impact: String?
            for threat in try fields.array(item["threats"], at + ".threats")
            where threat["category"]?.string == "impact" {
                impact = threat["details"]?.string
            }
            let mapping: [(String, VEXStatement.Status)] = [
                ("known_not_affected", .notAffected), ("known_affected", .affected), ("fixed", .fixed),
                ("first_fixed", .fixed), ("under_investigation", .underInvestigation),
            ]
            let status = item["product_status"]
            for (key, meaning) in mapping {
                for product in try fields.strings(status?.member(key), "\(at).product_status.\(key)") {
                    let products = purls[product].map { [$0] } ?? []
                    let word = justification[product] ?? impact
                    statements.append(
                        VEXStatement(
                            vulnerabilityIDs: ids, products: products, status: meaning,
                            justification: meaning == .notAffected ? word : nil, impact: impact, timestamp: released,
                            document: id))
                }
            }
        }
        return statements
    }
}
