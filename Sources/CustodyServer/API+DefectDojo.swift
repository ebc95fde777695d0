import CustodyCore
import CustodyJSON
import CustodyService
import Foundation

/// DefectDojo's API v2, as far as pipelines that push scans use it, so that `dd-import`,
/// DefectDojo's generated clients and `curl` scripts point at Custody by changing the URL and the
/// token (`Authorization: Token KEY`): the `product_types`, `products`, `engagements`, `tests`
/// and `test_types` they look up and make, and `import-scan` and `reimport-scan`. A product is a
/// repository (or asset), `close_old_findings` a full-scope scan (docs/api.md).
enum DefectDojo {
    /// A DefectDojo scan type Custody reads, with the id `test_types` gives it.
    struct TestType: Sendable {
        var id: Int
        var name: String
        /// The reader; nil: the report's own shape decides among `formats`.
        var format: ReportFormat?
        var isStatic: Bool
    }

    /// DefectDojo's names for the formats Custody reads.
    static let testTypes: [TestType] = [
        TestType(id: 1, name: "SARIF", format: .sarif, isStatic: true),
        TestType(id: 2, name: "Trivy Scan", format: .trivy, isStatic: true),
        TestType(id: 3, name: "Anchore Grype", format: .grype, isStatic: true),
        TestType(id: 4, name: "OSV Scan", format: .osv, isStatic: true),
        TestType(id: 5, name: "CycloneDX Scan", format: .cyclonedx, isStatic: true),
        TestType(id: 6, name: "Semgrep JSON Report", format: .semgrep, isStatic: true),
        TestType(id: 7, name: "Bandit Scan", format: .bandit, isStatic: true),
        TestType(id: 8, name: "GitLab SAST Report", format: .gitlab, isStatic: true),
        TestType(id: 9, name: "GitLab Dependency Scanning Report", format: .gitlab, isStatic: true),
        TestType(id: 10, name: "GitLab Container Scan", format: .gitlab, isStatic: true),
        TestType(id: 11, name: "GitLab Secret Detection Report", format: .gitlab, isStatic: true),
        TestType(id: 12, name: "Custody Findings Import", format: .generic, isStatic: true),
        // Tenable's export is .nessus XML or CSV: the report itself says which.
        TestType(id: 13, name: "Tenable Scan", format: nil, isStatic: false),
        TestType(id: 14, name: "ZAP Scan", format: .zap, isStatic: false),
        // OpenVAS exports XML or CSV: the report itself says which.
        TestType(id: 15, name: "OpenVAS Parser", format: nil, isStatic: false),
        TestType(id: 16, name: "OpenVAS Parser v2", format: nil, isStatic: false),
        TestType(id: 17, name: "Nmap Scan", format: .nmap, isStatic: false),
        TestType(id: 18, name: "Nuclei Scan", format: .nuclei, isStatic: false),
        TestType(id: 19, name: "Gitleaks Scan", format: .gitleaks, isStatic: true),
        TestType(id: 20, name: "Trufflehog Scan", format: .trufflehog, isStatic: true),
        TestType(id: 21, name: "Checkov Scan", format: .checkov, isStatic: true),
        TestType(id: 22, name: "AWS Security Finding Format (ASFF) Scan", format: .asff, isStatic: false),
        TestType(id: 23, name: "AWS Security Hub Scan", format: .asff, isStatic: false),
        TestType(id: 24, name: "AWS Prowler V3", format: .prowler, isStatic: false),
        TestType(id: 25, name: "Prowler Scan", format: .prowler, isStatic: false),
        TestType(id: 26, name: "Hadolint Dockerfile check", format: .hadolint, isStatic: true),
        TestType(id: 27, name: "TFSec Scan", format: .tfsec, isStatic: true),
        TestType(id: 28, name: "Detect-secrets Scan", format: .detectSecrets, isStatic: true),
        TestType(id: 29, name: "kube-bench Scan", format: .kubeBench, isStatic: false),
        TestType(id: 30, name: "Burp Scan", format: .burp, isStatic: false),
    ]

    static func testType(named name: String) throws(ServiceError) -> TestType {
        guard let type = testTypes.first(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw ServiceError(
                .invalidInput,
                "unknown scan_type '\(name)'; one of: \(testTypes.map(\.name).joined(separator: ", "))",
                file: "body", place: "scan_type")
        }
        return type
    }

    /// The attributes a client may set on each kind, as DefectDojo names its fields.
    static func attributeKeys(_ kind: ImportContext.Kind) -> [String] {
        switch kind {
        case .productType, .product: ["description"]
        case .engagement:
            [
                "target_start", "target_end", "status", "engagement_type", "build_id", "commit_hash", "branch_tag",
                "version",
            ]
        case .test: ["target_start", "target_end", "test_type"]
        }
    }

    /// A context as DefectDojo writes it.
    static func json(_ context: ImportContext) -> JSONText.Value {
        var fields: [(String, JSONText.Value)] = [("id", .int(context.id))]
        switch context.kind {
        case .productType, .product, .engagement: fields.append(("name", .string(context.name)))
        case .test: fields.append(("title", .string(context.name)))
        }
        switch context.kind {
        case .productType: break
        case .product: fields.append(("prod_type", .int(context.parent)))
        case .engagement: fields.append(("product", .int(context.parent)))
        case .test:
            fields.append(("engagement", .int(context.parent)))
            let type = context.attributes["test_type"].flatMap(Int.init)
            fields.append(("test_type", .optional(type)))
            fields.append(("test_type_name", .optional(context.attributes["scan_type"])))
            fields.append(("scan_type", .optional(context.attributes["scan_type"])))
        }
        for key in attributeKeys(context.kind) where !(context.kind == .test && key == "test_type") {
            fields.append((key, .optional(context.attributes[key])))
        }
        fields.append(("created", .string(context.createdAt)))
        return .object(fields)
    }

    /// A list as DefectDojo pages them (one page: `next` is null when it holds the rest).
    static func page(_ items: [JSONText.Value], offset: Int) -> JSONText.Value {
        .object([
            ("count", .int(Int64(offset + items.count))), ("next", .null),
            ("previous", .null), ("results", .array(items)),
        ])
    }

    /// The kind a collection's name stands for.
    static func kind(_ collection: String) -> ImportContext.Kind? {
        switch collection {
        case "product_types": .productType
        case "products": .product
        case "engagements": .engagement
        case "tests": .test
        default: nil
        }
    }

    /// The query parameter that filters each kind by its parent, and the one by name.
    static func filters(_ kind: ImportContext.Kind) -> (name: String, parent: String?) {
        switch kind {
        case .productType: ("name", nil)
        case .product: ("name", "prod_type")
        case .engagement: ("name", "product")
        case .test: ("title", "engagement")
        }
    }
}

extension API {
    func defectDojo(_ request: HTTPRequest, _ parts: [String], as principal: Principal) throws(ServiceError)
        -> HTTPResponse
    {
        let collection = parts.first ?? ""
        switch (request.method, collection, parts.count) {
        case ("POST", "import-scan", 1), ("POST", "reimport-scan", 1):
            return try defectDojoImport(request, reimport: collection == "reimport-scan", as: principal)
        case ("GET", "test_types", 1):
            let name = request.query["name"]
            let types = DefectDojo.testTypes.filter { name == nil || $0.name == name }
            let items: [JSONText.Value] = types.map {
                .object([
                    ("id", .int(Int64($0.id))), ("name", .string($0.name)), ("static_tool", .bool($0.isStatic)),
                    ("dynamic_tool", .bool(!$0.isStatic)), ("active", .bool(true)),
                ])
            }
            return .json(200, DefectDojo.page(items, offset: 0).text + "\n")
        default: break
        }
        guard let kind = DefectDojo.kind(collection), parts.count <= 2 else {
            throw ServiceError(.notFound, "no route \(request.method) \(request.path)")
        }
        switch (request.method, parts.count) {
        case ("GET", 1):
            let query = request.query
            let filters = DefectDojo.filters(kind)
            let parent = try filters.parent.flatMap { key throws(ServiceError) in
                try query[key].map { text throws(ServiceError) in try Self.identifier(text, key, in: "query") }
            }
            let limit = try query["limit"].map { text throws(ServiceError) in try Self.number(text, "limit") } ?? 1_000
            let offset = try query["offset"].map { text throws(ServiceError) in try Self.number(text, "offset") } ?? 0
            let found = try service.importContexts(
                kind, name: query[filters.name], parent: parent, limit: limit, offset: offset, by: principal)
            return .json(200, DefectDojo.page(found.map(DefectDojo.json), offset: offset).text + "\n")
        case ("GET", 2):
            let id = try Self.identifier(parts[1], "id", in: "path")
            return .json(200, DefectDojo.json(try service.importContext(kind, id: id, by: principal)).text + "\n")
        case ("POST", 1):
            let body = try Self.jsonBody(request.body)
            let made = try createContext(kind, body, as: principal)
            return .json(made.created ? 201 : 200, DefectDojo.json(made.context).text + "\n")
        case ("PATCH", 2), ("PUT", 2):
            let id = try Self.identifier(parts[1], "id", in: "path")
            let body = try Self.jsonBody(request.body)
            var changes: [String: String?] = [:]
            for key in DefectDojo.attributeKeys(kind) where key != "test_type" {
                guard let value = body.member(key) else { continue }
                changes[key] = value.isNull ? String?.none : Self.text(value)
            }
            let changed = try service.updateImportContext(kind, id: id, attributes: changes, by: principal)
            return .json(200, DefectDojo.json(changed).text + "\n")
        default:
            throw ServiceError(.notFound, "no route \(request.method) \(request.path)")
        }
    }

    /// `POST /api/v2/{collection}/` with DefectDojo's JSON: the context, found when it exists.
    func createContext(_ kind: ImportContext.Kind, _ body: JSONValue, as principal: Principal) throws(ServiceError)
        -> (context: ImportContext, created: Bool)
    {
        let filters = DefectDojo.filters(kind)
        var attributes: [String: String] = [:]
        for key in DefectDojo.attributeKeys(kind) {
            if let value = body.member(key), let text = Self.text(value) { attributes[key] = text }
        }
        var name = body.member(filters.name).flatMap(Self.text)
        if kind == .test {
            guard let given = attributes["test_type"], let id = Int(given),
                let type = DefectDojo.testTypes.first(where: { $0.id == id })
            else {
                throw ServiceError(
                    .invalidInput, "test_type is the id of one of GET /api/v2/test_types/", file: "body",
                    place: "$.test_type")
            }
            attributes["scan_type"] = type.name
            name = name ?? type.name
        }
        guard let name else {
            throw ServiceError(.invalidInput, "'\(filters.name)' is required", file: "body", place: "$.\(filters.name)")
        }
        var parent: Int64 = 0
        if let key = filters.parent {
            guard let value = body.member(key), let text = Self.text(value) else {
                throw ServiceError(.invalidInput, "'\(key)' is required", file: "body", place: "$.\(key)")
            }
            parent = try Self.identifier(text, "$.\(key)", in: "body")
        }
        return try service.findOrCreateImportContext(
            kind, name: name, parent: parent, attributes: attributes, by: principal)
    }

    /// `POST /api/v2/import-scan/` and `reimport-scan/`: DefectDojo's multipart form, read as an
    /// ingest of the product's repository; the answer is shaped like DefectDojo's.
    func defectDojoImport(_ request: HTTPRequest, reimport: Bool, as principal: Principal) throws(ServiceError)
        -> HTTPResponse
    {
        guard let boundary = MultipartForm.boundary(ofContentType: request.header("content-type")) else {
            throw ServiceError(
                .invalidInput, "send the scan as multipart/form-data, as DefectDojo takes it", file: "body")
        }
        let form = try MultipartForm(body: request.body, boundary: boundary)
        func flag(_ name: String, default value: Bool) throws(ServiceError) -> Bool {
            guard let text = form.field(name)?.lowercased() else { return value }
            switch text {
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off", "": return false
            default: throw ServiceError(.invalidInput, "\(name) is true or false", file: "body", place: name)
            }
        }
        let type = try DefectDojo.testType(named: form.field("scan_type") ?? "")
        guard let file = form.part("file"), !file.bytes.isEmpty else {
            throw ServiceError(.invalidInput, "the form has no 'file' part (the report)", file: "body", place: "file")
        }
        var target = ImportTargetRequest()
        target.test = try form.field("test").map { text throws(ServiceError) in try Self.identifier(text, "test") }
        target.engagement = try form.field("engagement").map { text throws(ServiceError) in
            try Self.identifier(text, "engagement")
        }
        target.productTypeName = form.field("product_type_name")
        target.productName = form.field("product_name")
        target.engagementName = form.field("engagement_name")
        target.testTitle = form.field("test_title")
        target.autoCreate = try flag("auto_create_context", default: false)
        target.testAttributes = ["test_type": String(type.id), "scan_type": type.name]
        let context = try service.importTarget(target, scanType: type.name, by: principal)

        let name = (file.fileName.map { ($0 as NSString).lastPathComponent }).flatMap { $0.isEmpty ? nil : $0 }
        var ingest = IngestRequest(inputs: [.bytes(name: String((name ?? "scan").prefix(200)), file.bytes)])
        ingest.readsServerFiles = false
        ingest.format = type.format
        ingest.repository = context.product.name
        ingest.commit = form.field("commit_hash").flatMap { $0.isEmpty ? nil : $0 }
        ingest.branch = form.field("branch_tag").flatMap { $0.isEmpty ? nil : $0 }
        ingest.scope = try flag("close_old_findings", default: reimport) ? .full : .partial
        ingest.sentCodeowners = form.part("codeowners")?.text
        if let text = form.field("minimum_severity"), !text.isEmpty {
            guard let least = Severity(rawValue: text.lowercased()) else {
                throw ServiceError(
                    .invalidInput, "minimum_severity is Info, Low, Medium, High or Critical", file: "body",
                    place: "minimum_severity")
            }
            ingest.minimumSeverity = least
        }
        if let text = form.field("scan_date"), !text.isEmpty {
            guard let date = Timestamp.date(text) else {
                throw ServiceError(.invalidInput, "scan_date is a date (2026-12-05)", file: "body", place: "scan_date")
            }
            // Today's date, as clients send by default, is now; an earlier one loads history.
            if text.count == 10, text == String(Timestamp.string(Date()).prefix(10)) {
                ingest.usesReportedTime = false
            } else {
                ingest.scanDate = date
            }
        }
        for field in ["active", "verified", "push_to_jira", "do_not_reactivate"] {
            _ = try flag(field, default: true)  // accepted; Custody's lifecycle decides (docs/api.md)
        }
        let summary: IngestSummary
        switch try ingests.run({ () throws(ServiceError) in try service.ingest(ingest, by: principal) }) {
        case .scans(let scans, _, _): summary = scans
        case .vex:
            throw ServiceError(
                .invalidInput, "a VEX document is not a scan: POST it to /api/v1/ingest", file: "body", place: "file")
        }
        func count(_ number: Int) -> JSONText.Value {
            .object([("total", .object([("active", .int(Int64(number))), ("total", .int(Int64(number)))]))])
        }
        let answer = JSONText.Value.object([
            ("scan_type", .string(type.name)), ("test", .int(context.test.id)), ("test_id", .int(context.test.id)),
            ("engagement_id", .int(context.engagement.id)), ("product_id", .int(context.product.id)),
            ("product_type_id", .int(context.productType.id)), ("product_name", .string(context.product.name)),
            ("engagement_name", .string(context.engagement.name)), ("test_title", .string(context.test.name)),
            ("product_type_name", .string(context.productType.name)),
            ("close_old_findings", .bool(ingest.scope == .full)),
            ("minimum_severity", .string((ingest.minimumSeverity ?? .info).rawValue.capitalized)),
            (
                "statistics",
                .object([
                    (
                        "delta",
                        .object([
                            ("created", count(summary.new)), ("closed", count(summary.fixed)),
                            ("reactivated", count(summary.reopened)),
                            ("untouched", count(max(0, summary.seen - summary.reopened))),
                        ])
                    ),
                    ("after", count(summary.findings)),
                ])
            ),
            ("scan_ids", .array(summary.scanIDs.map { .int($0) })),
        ])
        return .json(201, answer.text + "\n")
    }

    static func jsonBody(_ bytes: [UInt8]) throws(ServiceError) -> JSONValue {
        do {
            let root = try JSONDocument(bytes: bytes).root
            guard root.object != nil else {
                throw ServiceError(.invalidInput, "the body is not a JSON object", file: "body", place: "$")
            }
            return root
        } catch let error as ServiceError {
            throw error
        } catch {
            throw ServiceError(.invalidInput, "the body is not JSON: \(error)", file: "body")
        }
    }

    /// A JSON field's value as text: a string, or a number as DefectDojo's clients send ids.
    static func text(_ value: JSONValue) -> String? {
        if let string = value.string { return string }
        if let number = value.int { return String(number) }
        if let bool = value.bool { return String(bool) }
        return nil
    }

    static func identifier(_ text: String, _ place: String, in file: String = "body") throws(ServiceError) -> Int64 {
        guard let id = Int64(text), id > 0 else {
            throw ServiceError(.invalidInput, "'\(text)' is not an id", file: file, place: place)
        }
        return id
    }

    static func number(_ text: String, _ place: String) throws(ServiceError) -> Int {
        guard let number = Int(text), number >= 0 else {
            throw ServiceError(.invalidInput, "'\(text)' is not a number", file: "query", place: place)
        }
        return number
    }
}
