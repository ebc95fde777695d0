import CustodyCore
import CustodyIngest
import CustodyTestSupport
import Foundation
import Testing

/// Reports as they arrive: compressed, with byte order marks, in UTF-16, as XML, in no known format.
struct ReportEncodingTests {
    let directory = TemporaryDirectory()
    static let sarif =
        #"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"r","message":{"text":"m é"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.py"},"region":{"startLine":3}}}]}]}]}"#

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = directory.file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func findings(_ path: String) throws -> [NormalizedFinding] {
        let (source, reader) = try ReportRegistry.open(path: path)
        var out: [NormalizedFinding] = []
        _ = try reader.read(source) { item in
            if case .finding(let finding) = item { out.append(finding) }
        }
        return out
    }

    func message(_ path: String) -> String {
        do {
            _ = try findings(path)
            return "no error"
        } catch { return "\(error)" }
    }

    @Test func gzipBOMAndUTF16ReadAsTheSameReport() throws {
        let plain = try findings(try write("plain.sarif", Array(Self.sarif.utf8)))
        #expect(plain.count == 1 && plain[0].message == "m é")
        // gzip by its magic bytes, whatever the file is called (real gzip, from the system).
        let source = try write("report.sarif", Array(Self.sarif.utf8))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", "-f", source]
        try gzip.run()
        gzip.waitUntilExit()
        let compressed = try Data(contentsOf: URL(fileURLWithPath: source + ".gz"))
        #expect(compressed.prefix(2) == Data([0x1F, 0x8B]))
        #expect(try findings(try write("compressed.json", Array(compressed))) == plain)
        #expect(try findings(try write("bom.sarif", [0xEF, 0xBB, 0xBF] + Array(Self.sarif.utf8))) == plain)
        var utf16le: [UInt8] = [0xFF, 0xFE]
        for unit in Self.sarif.utf16 { utf16le += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        #expect(try findings(try write("le.sarif", utf16le)) == plain)
        var utf16be: [UInt8] = []  // no mark: told by its zero bytes
        for unit in Self.sarif.utf16 { utf16be += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
        #expect(try findings(try write("be.sarif", utf16be)) == plain)
        // A damaged stream says so, not "not valid JSON".
        let cut = try write("cut.json.gz", Array(compressed.prefix(compressed.count / 2)))
        #expect(message(cut).contains("gzip stream that ends early"))
    }

    @Test func xmlAndUnknownFormatsAreNamed() throws {
        let xml = try write(
            "bom.xml",
            Array(#"<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"></bom>"#.utf8))
        let said = message(xml)
        #expect(said.contains("an XML document (root <bom>)"))
        #expect(said.contains("bom.xml") && said.contains("cyclonedx"))
        let unknown = message(try write("x.json", Array(#"{"scanner": "acme", "issues": []}"#.utf8)))
        #expect(unknown.contains("a JSON object with members 'scanner', 'issues'"))
        #expect(unknown.contains("sarif, trivy"))
        #expect(!unknown.contains("not valid JSON"))
    }

    @Test func anSBOMWithoutVulnerabilitiesSaysSo() throws {
        let path = try write(
            "sbom.json",
            Array(
                #"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"bom-ref":"a","name":"lodash","version":"4.17.21","purl":"pkg:npm/lodash@4.17.21"},{"bom-ref":"b","name":"left-pad","version":"1.3.0"}]}"#
                    .utf8))
        let (source, reader) = try ReportRegistry.open(path: path)
        let summary = try reader.read(source) { _ in }
        #expect(summary.runs.map(\.resultCount) == [0])
        #expect(
            summary.warnings.map(\.message) == [
                "a CycloneDX SBOM without vulnerabilities: 2 components read, no findings "
                    + "(scan it with a vulnerability scanner, or ingest its VEX/VDR)"
            ])
    }
}
