import CustodyCore
import CustodyJSON

/// What the fuzz targets (`make fuzz`) and their regression tests run: one input through one
/// reader, to the end. Every problem must be a `Diagnostic` (or a CVSS error); anything else -
/// a crash, a trap, an endless loop - is a bug.
public enum FuzzHarness {
    /// The targets: each report format, VEX documents, the EPSS CSV, the generic CSV and CVSS vectors.
    public static let targets = ReportFormat.allCases.map(\.rawValue) + ["vex", "kev", "epss", "csv", "cvss"]

    /// Small limits, so the fuzzer explores structure rather than size.
    public static let limits = InputLimits(maxBytes: 1 << 20, maxDepth: 64)

    /// Runs `bytes` through `target`; returns how many findings (or statements, scores) it read,
    /// or nil when the input was refused with a clear error.
    @discardableResult
    public static func run(_ bytes: [UInt8], target: String) -> Int? {
        do {
            switch target {
            case "cvss":
                _ = try CVSS.score(String(decoding: bytes, as: UTF8.self))
                return 1
            case "kev":
                return try KEVReader.read(bytes: bytes, file: "fuzz.json").entries.count
            case "epss":
                return try EPSSReader.parse(bytes, file: "fuzz.csv").scores.count
            case "csv":
                let source = try ReportSource(file: "fuzz.csv", input: JSONInput(bytes: bytes), limits: limits)
                return try count(source, GenericReader())
            case "vex":
                let source = try ReportSource(file: "fuzz.json", input: JSONInput(bytes: bytes), limits: limits)
                return try VEXReader.read(source).count
            default:
                guard let format = ReportFormat(rawValue: target),
                    let reader = ReportRegistry.readers.first(where: { $0.format == format })
                else { return nil }
                let name = [.tenableCSV, .openvasCSV].contains(format) ? "fuzz.csv" : "fuzz.json"
                let source = try ReportSource(file: name, input: JSONInput(bytes: bytes), limits: limits)
                return try count(source, reader)
            }
        } catch is Diagnostic {
            return nil
        } catch is CVSSError {
            return nil
        } catch {
            // Any other error type escaping a reader is a bug too: it would reach the user
            // without a file and a place.
            fatalError("\(target): unexpected error \(type(of: error)): \(error)")
        }
    }

    private static func count(_ source: ReportSource, _ reader: any ReportReader) throws -> Int {
        var findings = 0
        _ = try reader.read(source) { item in
            if case .finding = item { findings += 1 }
        }
        return findings
    }
}
