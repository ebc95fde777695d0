import CustodyCore
import CustodyJSON

/// FIRST's EPSS daily file (`epss_scores-YYYY-MM-DD.csv.gz`, or uncompressed): a
/// `#model_version:...,score_date:...` line, the header `cve,epss,percentile`, then one row per
/// CVE. A gzip-compressed file is inflated (`Gzip`); a plain one is read as it is.
public enum EPSSReader {
    /// Today's file is about 10 MB uncompressed for 250,000 CVEs; this leaves room and bounds memory.
    public static let maxBytes = 256 << 20

    public struct Feed: Sendable {
        public var modelVersion: String?
        public var scoreDate: String?
        public var scores: [(cve: String, score: Double, percentile: Double?)]
    }

    public static func read(file: String) throws -> Feed {
        let input: JSONInput
        do {
            // The compressed file is bounded like the uncompressed text it holds.
            input = try JSONInput(contentsOfFile: file, maxBytes: maxBytes)
        } catch let error as JSONError {
            throw Diagnostic(file: file, message: "cannot read: \(error.reason)")
        }
        let bytes = input.bytes
        return try parse(
            Gzip.isCompressed(bytes) ? try Gzip.inflate(bytes, file: file, limit: maxBytes) : Array(bytes), file: file)
    }

    public static func parse(_ bytes: [UInt8], file: String) throws -> Feed {
        var feed = Feed(modelVersion: nil, scoreDate: nil, scores: [])
        var columns: [String]?
        var number = 0
        for raw in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            var line = String(decoding: raw, as: UTF8.self)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty { continue }
            func fail(_ message: String) -> Diagnostic {
                Diagnostic(file: file, place: "line \(number)", message: message)
            }
            if line.hasPrefix("#") {
                for part in line.dropFirst().split(separator: ",") {
                    let pair = part.split(separator: ":", maxSplits: 1).map(String.init)
                    guard pair.count == 2 else { continue }
                    if pair[0] == "model_version" { feed.modelVersion = pair[1] }
                    if pair[0] == "score_date" { feed.scoreDate = Timestamp.normalize(pair[1]) ?? pair[1] }
                }
                continue
            }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard let header = columns else {
                guard fields.first == "cve", fields.count >= 2, fields[1] == "epss" else {
                    throw fail("expected the header 'cve,epss,percentile', found '\(line.prefix(60))'")
                }
                columns = fields
                continue
            }
            guard fields.count == header.count else {
                throw fail("\(fields.count) fields where the header has \(header.count)")
            }
            guard Tags.isCVE(fields[0]) else { throw fail("'\(fields[0])' is not a CVE id") }
            guard let score = Double(fields[1]), (0...1).contains(score) else {
                throw fail("epss '\(fields[1])' is not a probability from 0 to 1")
            }
            var percentile: Double?
            if header.count > 2 {
                guard let value = Double(fields[2]), (0...1).contains(value) else {
                    throw fail("percentile '\(fields[2])' is not a number from 0 to 1")
                }
                percentile = value
            }
            feed.scores.append((fields[0], score, percentile))
        }
        guard columns != nil else { throw Diagnostic(file: file, message: "no header 'cve,epss,percentile'") }
        return feed
    }
}
