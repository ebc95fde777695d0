import CustodyCore
import CustodyXML

/// The XML report formats: the root element each is known by and the tool that writes it.
/// ``ReportEncoding`` lets through an XML document only when its root is one of these.
enum XMLReports {
    static let roots: [(root: String, tool: String)] = [
        ("NessusClientData_v2", "Nessus"), ("OWASPZAPReport", "ZAP"), ("report", "OpenVAS"),
        ("get_reports_response", "OpenVAS"), ("nmaprun", "Nmap"), ("issues", "Burp"),
    ]
}

extension ReportSource {
    /// The report's root element, read by libxml2 under the source's depth limit; refused,
    /// naming the line, when it is none of `expected` (a report of `tool`).
    func xmlRoot(_ expected: String..., of tool: String) throws -> XMLElement {
        let root: XMLElement
        do {
            root = try XMLDocument.parse(Array(input.bytes), maxDepth: limits.maxDepth)
        } catch {
            throw Diagnostic(file: file, place: error.line.map { "line \($0)" }, message: error.message)
        }
        guard expected.contains(root.name) else {
            throw Diagnostic(
                file: file, place: "line \(root.line)",
                message:
                    "not a \(tool) report: the root element is <\(root.name)>, not "
                    + expected.map { "<\($0)>" }.joined(separator: " or "))
        }
        return root
    }
}
