import CustodyCore
import CustodyJSON

/// Reads CISA's Known Exploited Vulnerabilities catalog (`known_exploited_vulnerabilities.json`):
/// `catalogVersion`, `dateReleased` and `vulnerabilities[]` with `cveID`, `vendorProject`,
/// `product`, `vulnerabilityName`, `dateAdded`, `dueDate`, `knownRansomwareCampaignUse` and
/// `requiredAction`. Every problem names the file and the JSON path.
public enum KEVReader {
    /// The catalog is about 1.5 MB today; 64 MB leaves room and still bounds memory.
    public static let maxBytes = 64 << 20

    public static func read(file: String) throws -> KEVCatalog {
        do {
            return try read(try JSONDocument(contentsOfFile: file, maxBytes: maxBytes, maxDepth: 16), file: file)
        } catch let error as JSONError {
            throw ReportSource.diagnostic(error, file: file)
        }
    }

    /// A catalog already in memory (`file` names it in messages), as the fuzz target feeds it.
    public static func read(bytes: [UInt8], file: String) throws -> KEVCatalog {
        do {
            return try read(try JSONDocument(bytes: bytes, maxDepth: 16), file: file)
        } catch let error as JSONError {
            throw ReportSource.diagnostic(error, file: file)
        }
    }

    static func read(_ document: JSONDocument, file: String) throws -> KEVCatalog {
        let root = document.root
        let fields = Fields(file: file)
        /// Present (possibly empty) and a string, or an error naming the place.
        func present(_ value: JSONValue?, _ place: String) throws -> String {
            guard let text = try fields.string(value, place) else { throw fields.fail(place, "missing") }
            return text
        }
        guard root.kind == .object else { throw fields.fail("$", "expected the KEV catalog object") }
        guard let list = root["vulnerabilities"]?.array else {
            throw fields.fail("$.vulnerabilities", "missing or not an array: is this CISA's KEV catalog?")
        }
        let version = try present(root["catalogVersion"], "$.catalogVersion")
        let released = try fields.string(root["dateReleased"], "$.dateReleased") ?? ""
        var entries: [KEVEntry] = []
        for (index, item) in list.enumerated() {
            let place = "$.vulnerabilities[\(index)]"
            guard item.kind == .object else { throw fields.fail(place, "expected an object") }
            let cve = try present(item["cveID"], place + ".cveID")
            guard Tags.isCVE(cve) else {
                throw fields.fail(place + ".cveID", "'\(cve)' is not a CVE id (CVE-YYYY-NNNN)")
            }
            func date(_ key: String) throws -> String? {
                guard let value = try fields.string(item.member(key), place + "." + key), !value.isEmpty else {
                    return nil
                }
                guard value.utf8.count == 10, Timestamp.parse(value) != nil else {
                    throw fields.fail(place + "." + key, "'\(value)' is not a date (YYYY-MM-DD)")
                }
                return value
            }
            guard let added = try date("dateAdded") else { throw fields.fail(place + ".dateAdded", "missing") }
            func optional(_ key: StaticString) throws -> String? { try fields.string(item[key], place + ".\(key)") }
            entries.append(
                KEVEntry(
                    cve: cve, vendor: try optional("vendorProject") ?? "", product: try optional("product") ?? "",
                    name: try optional("vulnerabilityName") ?? "", dateAdded: added, dueDate: try date("dueDate"),
                    ransomware: try optional("knownRansomwareCampaignUse") ?? "Unknown",
                    requiredAction: try optional("requiredAction") ?? ""))
        }
        return KEVCatalog(version: version, released: released, entries: entries)
    }
}
