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
        let document: JSONDocument
        do {
            document = try JSONDocument(contentsOfFile: file, maxBytes: maxBytes, maxDepth: 16)
        } catch let error as JSONError {
            throw ReportSource.diagnostic(error, file: file)
        }
        let root = document.root
        func fail(_ place: String, _ message: String) -> Diagnostic {
            Diagnostic(file: file, place: place, message: message)
        }
        func text(_ value: JSONValue?, _ place: String, required: Bool = true) throws -> String? {
            guard let value, !value.isNull else {
                if required { throw fail(place, "missing") }
                return nil
            }
            guard let string = value.string else { throw fail(place, "expected a string") }
            return string
        }
        guard root.kind == .object else { throw fail("$", "expected the KEV catalog object") }
        guard let list = root["vulnerabilities"]?.array else {
            throw fail("$.vulnerabilities", "missing or not an array: is this CISA's KEV catalog?")
        }
        let version = try text(root["catalogVersion"], "$.catalogVersion")!
        let released = try text(root["dateReleased"], "$.dateReleased", required: false) ?? ""
        var entries: [KEVEntry] = []
        for (index, item) in list.enumerated() {
            let place = "$.vulnerabilities[\(index)]"
            guard item.kind == .object else { throw fail(place, "expected an object") }
            let cve = try text(item["cveID"], place + ".cveID")!
            guard Tags.isCVE(cve) else { throw fail(place + ".cveID", "'\(cve)' is not a CVE id (CVE-YYYY-NNNN)") }
            func date(_ key: String, required: Bool) throws -> String? {
                guard let value = try text(item.member(key), place + "." + key, required: required), !value.isEmpty
                else { return nil }
                guard value.utf8.count == 10, Timestamp.parse(value) != nil else {
                    throw fail(place + "." + key, "'\(value)' is not a date (YYYY-MM-DD)")
                }
                return value
            }
            entries.append(
                KEVEntry(
                    cve: cve, vendor: try text(item["vendorProject"], place + ".vendorProject", required: false) ?? "",
                    product: try text(item["product"], place + ".product", required: false) ?? "",
                    name: try text(item["vulnerabilityName"], place + ".vulnerabilityName", required: false) ?? "",
                    dateAdded: try date("dateAdded", required: true)!, dueDate: try date("dueDate", required: false),
                    ransomware: try text(
                        item["knownRansomwareCampaignUse"], place + ".knownRansomwareCampaignUse", required: false)
                        ?? "Unknown",
                    requiredAction: try text(item["requiredAction"], place + ".requiredAction", required: false) ?? ""))
        }
        return KEVCatalog(version: version, released: released, entries: entries)
    }
}
