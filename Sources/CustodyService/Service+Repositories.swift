import CustodyCore
import CustodyOwnership
import CustodyPipeline
import CustodyStore
import Foundation

public typealias RepositoryRow = CustodyStore.RepositoryRow
public typealias OwnershipMapSource = CustodyPipeline.OwnershipMapSource

extension CustodyService {
    /// Registers a local clone or mirror of a repository under its name: uploads that name the
    /// repository (from the CLI or over the API) are attributed from it - CODEOWNERS at the
    /// scanned commit and the introducers - though the uploader sends only the report.
    public func addRepository(name: String, path: String, by principal: Principal) throws(ServiceError)
        -> RepositoryRow
    {
        try authorizeSecurity(principal, "register repositories")
        // `owner/name` as GitHub says it is a name too; a path is not.
        let refused = name.hasPrefix("/") || name.hasPrefix(".") || name.hasPrefix("-") || name.contains("..")
        guard !name.isEmpty, name.count <= 200, !refused, !name.contains(where: \.isWhitespace) else {
            throw ServiceError(.invalidInput, "'\(name)' is not a repository name (such as portal or example/portal)")
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard Git.isRepository(absolute) else {
            throw ServiceError(.invalidInput, "'\(path)' is not a git clone or mirror", file: path)
        }
        let store = try store()
        return try perform {
            try store.addRepository(name: name, path: absolute, actor: principal.name, now: Date())
            return try store.repository(named: name)!
        }
    }

    public func repositories(by principal: Principal) throws(ServiceError) -> [RepositoryRow] {
        try authorizeSecurity(principal, "list registered repositories")
        let store = try store()
        return try perform { try store.repositories() }
    }

    public func removeRepository(name: String, by principal: Principal) throws(ServiceError) {
        try authorizeSecurity(principal, "remove registered repositories")
        let store = try store()
        guard try perform({ try store.removeRepository(name: name) }) else {
            throw ServiceError(.notFound, "no registered repository '\(name)'; see 'custody repos list'")
        }
    }

    /// The clone registered for the repository `name`, when there is one.
    func registeredCheckout(_ name: String) throws(ServiceError) -> String? {
        let store = try store()
        return try perform { try store.repository(named: name)?.path }
    }
}
