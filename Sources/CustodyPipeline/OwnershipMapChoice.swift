import CustodyCore
import CustodyOwnership
import Foundation

/// Where an ingest's CODEOWNERS came from, said back to the uploader.
public enum OwnershipMapSource: String, Sendable, Equatable {
    /// A file of the ingesting machine (`--codeowners FILE`).
    case file
    /// The text sent with the upload (the multipart field `codeowners`).
    case upload
    /// The checkout at the scanned commit (`--repo DIR`, or a registered repository).
    case checkout
    /// The map last recorded for the repository, when the upload brought none.
    case recorded
    /// No map: the findings are owned by the asset rules, else unowned.
    case none
}

/// The ownership map an ingest applies, chosen once: a file given, else text sent with the
/// upload, else the checkout's at the scanned commit, else the map last recorded for the
/// repository. Its name, time and text go into the scan record (the text only when it is worth
/// keeping for later uploads that send none).
struct OwnershipMapChoice {
    var source: OwnershipMapSource = .none
    var codeowners: OwnerResolver.Source?
    var warnings: [Diagnostic] = []
    /// The map's name in the ownership history (`CODEOWNERS at 1a2b3c`) and since when it holds.
    var name: String?
    var effectiveAt: String?
    /// The text to keep as the repository's last map.
    var keptText: String?

    init(options: IngestOptions) throws {
        let dialect = options.codeownersDialect
        var sent: SentCodeowners?
        if let path = options.codeownersPath {
            (codeowners, warnings) = try IngestPipeline.loadCodeowners(path: path, dialect: dialect)
            source = .file
            keptText = try? TextFile.read(codeowners?.file ?? path, limit: TextFile.codeownersLimit)
        } else if let given = options.codeownersText {
            (codeowners, warnings) = IngestPipeline.parseCodeowners(given.text, file: given.name, dialect: dialect)
            source = .upload
            sent = given
            keptText = given.text
        } else if let checkout = options.checkout,
            let (parsed, fileWarnings) = try IngestPipeline.loadCodeowners(
                checkout: checkout, commit: options.commit, dialect: dialect)
        {
            (codeowners, warnings) = (parsed, fileWarnings)
            source = .checkout
            keptText = Self.text(of: parsed, in: checkout)
        } else if let recorded = options.recordedCodeowners {
            (codeowners, warnings) = IngestPipeline.parseCodeowners(
                recorded.text, file: recorded.name, dialect: dialect)
            source = .recorded
            sent = recorded
        }
        guard let codeowners else { return }
        name = codeowners.revision.map { "\(codeowners.file) at \($0)" } ?? codeowners.file
        if let sent {
            // A sent map holds from the scan; a recorded one keeps the name and time it had.
            name = sent.name
            effectiveAt = sent.effectiveAt ?? Timestamp.string(options.scanDate ?? Date())
        } else if let revision = codeowners.revision, let checkout = options.checkout,
            let seconds = try? Git(directory: checkout).run(["show", "-s", "--format=%ct", revision]),
            let time = TimeInterval(seconds.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            effectiveAt = Timestamp.string(Date(timeIntervalSince1970: time))
        } else if let modified = try? FileManager.default.attributesOfItem(atPath: codeowners.file)[.modificationDate]
            as? Date
        {
            effectiveAt = Timestamp.string(modified)
        }
    }

    /// The CODEOWNERS text a checkout held (at the map's revision, or in its working tree).
    private static func text(of map: OwnerResolver.Source, in checkout: String) -> String? {
        guard let revision = map.revision else {
            return try? TextFile.read(checkout + "/" + map.file, limit: TextFile.codeownersLimit)
        }
        return try? Git(directory: checkout).run(["show", "\(revision):\(map.file)"])
    }
}
