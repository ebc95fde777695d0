import CustodyCore
import CustodyOwnership
import CustodyStore
import Foundation

/// A text input: a file to read, or text already in memory with the name it is known by.
public enum TextInput: Sendable, Equatable {
    case file(String)
    case text(name: String, String)

    public var name: String {
        switch self {
        case .file(let path): path
        case .text(let name, _): name
        }
    }

    func read(limit: Int = TextFile.organisationLimit) throws -> String {
        switch self {
        case .file(let path): return try TextFile.read(path, limit: limit)
        case .text(let name, let text):
            guard text.utf8.count <= limit else {
                throw Diagnostic(file: name, message: "over the limit of \(limit) bytes")
            }
            return text
        }
    }
}

public struct OrganisationImport: Sendable, Equatable {
    public var units: Int
    public var teams: Int
    public var assetRules: Int
    public var source: String
    /// Problems that did not stop the import (a catalog entity of an unknown kind...).
    public var warnings: [String]
}

extension CustodyService {
    /// Loads org units, teams and asset rules from Custody teams files and Backstage catalog files
    /// (detected by their apiVersion), merged in order; the result replaces the organisation in
    /// one transaction. A catalog group whose parent is in no file is kept without a unit.
    public func importOrganisation(_ inputs: [TextInput], by principal: Principal) throws(ServiceError)
        -> OrganisationImport
    {
        try authorizeSecurity(principal, "import the organisation")
        guard !inputs.isEmpty else { throw ServiceError(.invalidInput, "no teams or catalog files given") }
        var warnings: [String] = []
        let organisation = try perform {
            var organisation = Organisation()
            var fromCatalog = false
            for input in inputs {
                let text = try input.read()
                if BackstageCatalog.detect(text) {
                    let (catalog, found) = try BackstageCatalog.parse(text, file: input.name)
                    warnings += found.map(\.description)
                    organisation = organisation.merged(with: catalog)
                    fromCatalog = true
                } else {
                    let parsed = try TeamsFile.parse(text, file: input.name, validate: inputs.count == 1)
                    organisation = organisation.merged(with: parsed)
                }
            }
            if fromCatalog {
                let units = Set(organisation.units.map(\.id))
                for index in organisation.teams.indices {
                    if let unit = organisation.teams[index].unitID, !units.contains(unit) {
                        organisation.teams[index].unitID = nil
                    }
                }
            }
            return organisation
        }
        let names = inputs.map(\.name).joined(separator: ", ")
        if let problem = organisation.validate(file: names).first { throw ServiceError.from(problem, database: names) }
        let store = try store()
        try perform { try store.importOrganisation(organisation, source: names, actor: principal.name) }
        return OrganisationImport(
            units: organisation.units.count, teams: organisation.teams.count,
            assetRules: organisation.assetRules.count, source: names, warnings: warnings)
    }

    /// The organisation - units, teams with their leads and handles, asset rules - as the store
    /// holds it: read again only after the ledger has moved.
    public func organisation() throws(ServiceError) -> Organisation {
        let store = try store()
        return try organisation(at: try perform { try store.ledgerHead() }, store: store)
    }

    /// The organisation, the ledger's head already read (at `head`) by a caller that needs it too.
    func organisation(at head: Int64, store: SQLStore) throws(ServiceError) -> Organisation {
        if let kept = organisations.value(at: head) { return kept }
        let organisation = try perform { try store.organisation() }
        organisations.keep(organisation, at: head)
        return organisation
    }

    /// The organisation for a principal: every reader but an uploader sees its shape.
    public func organisation(by principal: Principal) throws(ServiceError) -> Organisation {
        try authorizeAggregates(principal)
        return try organisation()
    }
}
