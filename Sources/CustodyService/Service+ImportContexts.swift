import CustodyCore
import CustodyJSON
import CustodyStore
import Foundation

/// The contexts a DefectDojo client looks up or makes before it imports, each under its
/// parent: a product type (an org unit's label), a product (a repository or asset), an
/// engagement (a pipeline's run of scans, with its commit and branch) and a test (one scanner's
/// results in an engagement). Custody keeps them so that such clients work unchanged; who owns a
/// finding is still decided by Custody's ownership, never by the uploader's labels.
public struct ImportContext: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case productType = "product_type"
        case product, engagement, test

        /// The kind of a context's parent; nil for a product type, which has none.
        public var parentKind: Kind? {
            switch self {
            case .productType: nil
            case .product: .productType
            case .engagement: .product
            case .test: .engagement
            }
        }
    }

    public var id: Int64
    public var kind: Kind
    public var name: String
    /// The parent's id; 0 for a product type.
    public var parent: Int64
    /// The context's other fields (a test's scan type, an engagement's commit and branch).
    public var attributes: [String: String]
    public var createdAt: String
}

extension CustodyService {
    /// The contexts of `kind`, those named `name` and under `parent` when given, by id: at most
    /// `limit` (1 to 1,000) after the first `offset`.
    public func importContexts(
        _ kind: ImportContext.Kind, name: String?, parent: Int64?, limit: Int = 1_000, offset: Int = 0,
        by principal: Principal
    ) throws(ServiceError) -> [ImportContext] {
        try authorizeIngest(principal, "read import contexts")
        guard (1...1_000).contains(limit), offset >= 0 else {
            throw ServiceError(.invalidInput, "limit is 1 to 1000 and offset at least 0", place: "limit")
        }
        let store = try store()
        return try perform {
            try store.importContexts(kind: kind.rawValue, name: name, parent: parent, limit: limit, offset: offset)
                .compactMap(Self.context)
        }
    }

    /// The context `id` of `kind`, or not found.
    public func importContext(_ kind: ImportContext.Kind, id: Int64, by principal: Principal) throws(ServiceError)
        -> ImportContext
    {
        try authorizeIngest(principal, "read import contexts")
        let store = try store()
        guard let row = try perform({ try store.importContext(id: id) }), let context = Self.context(row),
            context.kind == kind
        else {
            throw ServiceError(.notFound, "no \(kind.rawValue.replacingOccurrences(of: "_", with: " ")) \(id)")
        }
        return context
    }

    /// The context of `kind` named `name` under `parent`, made with `attributes` when there is
    /// none. The parent must be a context of the kind above; a product's name is a repository's,
    /// so one name is one product whatever its product type (another type's is a conflict).
    public func findOrCreateImportContext(
        _ kind: ImportContext.Kind, name: String, parent: Int64, attributes: [String: String] = [:],
        by principal: Principal
    ) throws(ServiceError) -> (context: ImportContext, created: Bool) {
        try authorizeIngest(principal, "create import contexts")
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200, !name.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw ServiceError(.invalidInput, "a \(kind.rawValue) name is 1 to 200 characters on one line")
        }
        if let parentKind = kind.parentKind {
            _ = try importContext(parentKind, id: parent, by: principal)
        }
        let store = try store()
        if kind == .product,
            let other = try perform({ try store.importContexts(kind: kind.rawValue, name: name) }).first,
            other.parent != parent
        {
            throw ServiceError(
                .conflict, "product '\(name)' already exists under product type \(other.parent)", place: "name")
        }
        let found = try perform {
            try store.findOrCreateImportContext(
                kind: kind.rawValue, name: name, parent: parent, attributes: Self.attributesText(attributes),
                now: Date())
        }
        guard let context = Self.context(found.row) else {
            throw ServiceError(.internal, "import context \(found.row.id) has an unknown kind")
        }
        return (context, found.created)
    }

    /// Sets (or, with nil, removes) attributes of a context: DefectDojo's PATCH of an engagement's
    /// `commit_hash`, `branch_tag` and `build_id` after an import.
    public func updateImportContext(
        _ kind: ImportContext.Kind, id: Int64, attributes: [String: String?], by principal: Principal
    ) throws(ServiceError) -> ImportContext {
        try authorizeIngest(principal, "change import contexts")
        var context = try importContext(kind, id: id, by: principal)
        for (key, value) in attributes { context.attributes[key] = value }
        let store = try store()
        let text = Self.attributesText(context.attributes)
        guard try perform({ try store.updateImportContext(id: id, attributes: text) }) else {
            throw ServiceError(.notFound, "no \(kind.rawValue) \(id)")
        }
        return context
    }

    static func context(_ row: ImportContextRow) -> ImportContext? {
        guard let kind = ImportContext.Kind(rawValue: row.kind) else { return nil }
        var attributes: [String: String] = [:]
        if let document = try? JSONDocument(bytes: Array(row.attributes.utf8)), let members = document.root.object {
            for (key, value) in members { attributes[key] = value.string }
        }
        return ImportContext(
            id: row.id, kind: kind, name: row.name, parent: row.parent, attributes: attributes,
            createdAt: row.createdAt)
    }

    static func attributesText(_ attributes: [String: String]) -> String {
        JSONText.Value.object(attributes.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }).text
    }
}

/// Where a DefectDojo import lands: a test in an engagement of a product of a product type.
public struct ImportTarget: Sendable, Equatable {
    public var productType: ImportContext
    public var product: ImportContext
    public var engagement: ImportContext
    public var test: ImportContext
}

/// How an import names its target: a test's id, an engagement's id (the test is then found or
/// made by title), or names, which `autoCreate` lets the import make.
public struct ImportTargetRequest: Sendable {
    public var test: Int64?
    public var engagement: Int64?
    public var productTypeName: String?
    public var productName: String?
    public var engagementName: String?
    /// The test's title; nil: the scan type's name.
    public var testTitle: String?
    public var autoCreate = false
    /// The attributes of a test the import makes (its scan type).
    public var testAttributes: [String: String] = [:]

    public init() {}
}

extension CustodyService {
    /// The import's target, made where the request allows: DefectDojo's `test`, `engagement`, or
    /// `product_name` + `engagement_name` (+ `product_type_name` with `auto_create_context`).
    public func importTarget(_ request: ImportTargetRequest, scanType: String, by principal: Principal)
        throws(ServiceError) -> ImportTarget
    {
        let engagement: ImportContext
        var test: ImportContext?
        if let id = request.test {
            let found = try importContext(.test, id: id, by: principal)
            test = found
            engagement = try importContext(.engagement, id: found.parent, by: principal)
        } else if let id = request.engagement {
            engagement = try importContext(.engagement, id: id, by: principal)
        } else {
            guard let productName = request.productName, let engagementName = request.engagementName else {
                throw ServiceError(
                    .invalidInput, "name the target: test, engagement, or product_name and engagement_name",
                    place: "test")
            }
            let product: ImportContext
            if let existing = try importContexts(.product, name: productName, parent: nil, by: principal).first {
                product = existing
            } else {
                guard request.autoCreate, let typeName = request.productTypeName else {
                    throw ServiceError(
                        .notFound,
                        "no product '\(productName)': send auto_create_context=true with a product_type_name to make it",
                        place: "product_name")
                }
                let type = try findOrCreateImportContext(.productType, name: typeName, parent: 0, by: principal)
                product = try findOrCreateImportContext(
                    .product, name: productName, parent: type.context.id, by: principal
                )
                .context
            }
            if let existing = try importContexts(.engagement, name: engagementName, parent: product.id, by: principal)
                .first
            {
                engagement = existing
            } else {
                guard request.autoCreate else {
                    throw ServiceError(
                        .notFound,
                        "no engagement '\(engagementName)' in product '\(productName)': send auto_create_context=true to make it",
                        place: "engagement_name")
                }
                engagement = try findOrCreateImportContext(
                    .engagement, name: engagementName, parent: product.id, by: principal
                ).context
            }
        }
        if test == nil {
            test = try findOrCreateImportContext(
                .test, name: request.testTitle ?? scanType, parent: engagement.id, attributes: request.testAttributes,
                by: principal
            ).context
        }
        let product = try importContext(.product, id: engagement.parent, by: principal)
        return ImportTarget(
            productType: try importContext(.productType, id: product.parent, by: principal), product: product,
            engagement: engagement, test: test!)
    }
}
