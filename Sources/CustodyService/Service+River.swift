import CustodyCore
import CustodyIngest
import CustodyJSON
import CustodyPipeline
import Foundation

/// A river of findings: JSON Lines, one finding a line in Custody's generic format
/// (docs/formats.md), from agents and scanners that produce findings one by one.
public struct RiverRequest: Sendable {
    /// The body: one JSON object a line; blank lines are skipped.
    public var lines: [UInt8]
    /// The tool the findings are from (every line's).
    public var tool: String
    public var repository: String?
    public var branch: String?
    public var commit: String?
    /// Findings a transaction: each batch is one ingest, acknowledged on its own.
    public var batchSize = 1_000

    public init(lines: [UInt8], tool: String) {
        self.lines = lines
        self.tool = tool
    }
}

/// What one batch did: how many of its lines were new findings, seen again, or refused (each
/// refusal with its line number and reason). Refused lines are left out; the rest are written.
public struct RiverAcknowledgement: Sendable, Equatable {
    public var batch: Int
    public var firstLine: Int
    public var lastLine: Int
    public var new = 0
    public var seen = 0
    public var refused: [(line: Int, reason: String)] = []

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.batch == rhs.batch && lhs.firstLine == rhs.firstLine && lhs.lastLine == rhs.lastLine
            && lhs.new == rhs.new && lhs.seen == rhs.seen
            && lhs.refused.map(\.line) == rhs.refused.map(\.line)
            && lhs.refused.map(\.reason) == rhs.refused.map(\.reason)
    }
}

extension CustodyService {
    /// Reads a river of findings in batches, each one transaction (partial scope: a river never
    /// proves a fix). A line that is not a finding is refused with its reason and the batch goes
    /// on without it; `body` is called with each batch's acknowledgement as the batch commits.
    public func ingestRiver(
        _ request: RiverRequest, by principal: Principal, acknowledge body: (RiverAcknowledgement) -> Void
    ) throws(ServiceError) {
        try authorizeIngest(principal, "ingest reports")
        guard !request.tool.isEmpty, request.tool.count <= 200 else {
            throw ServiceError(.invalidInput, "tool names the findings' tool (1 to 200 characters)", place: "tool")
        }
        guard (1...50_000).contains(request.batchSize) else {
            throw ServiceError(.invalidInput, "batch is 1 to 50000 findings", place: "batch")
        }
        let header = Array(
            #"{"format":"custody-findings/1","tool":\#(JSONText.Value.string(request.tool).text),"findings":["#.utf8)
        var batch = 0
        var start = 0
        var lineNumber = 0
        var pending: [(line: Int, bytes: ArraySlice<UInt8>)] = []
        func flush() throws(ServiceError) {
            guard !pending.isEmpty else { return }
            batch += 1
            var ack = RiverAcknowledgement(batch: batch, firstLine: pending[0].line, lastLine: pending.last!.line)
            var document = header
            var kept = 0
            for (line, bytes) in pending {
                // Each line is one JSON object, parsed whole (nothing may follow it: a line must
                // not close the batch's document early), then read alone as a finding, so a bad
                // one is refused by itself.
                guard (try? JSONDocument(bytes: Array(bytes)))?.root.object != nil else {
                    ack.refused.append((line, "not one JSON object"))
                    continue
                }
                var alone = header
                alone += bytes
                alone += Array("]}".utf8)
                do {
                    let source = try ReportInput.bytes(name: "line \(line)", alone).source(limits: InputLimits())
                    var findings = 0
                    _ = try GenericReader().read(source) { item in
                        if case .finding = item { findings += 1 }
                    }
                    guard findings == 1 else {
                        ack.refused.append((line, "a line holds one finding object, not \(findings)"))
                        continue
                    }
                } catch {
                    let reason = (error as? Diagnostic).map {
                        [$0.place, $0.message].compactMap { $0 }.joined(separator: ": ")
                    }
                    ack.refused.append((line, reason ?? "\(error)"))
                    continue
                }
                if kept > 0 { document.append(UInt8(ascii: ",")) }
                document += bytes
                kept += 1
            }
            document += Array("]}".utf8)
            pending.removeAll(keepingCapacity: true)
            if kept > 0 {
                var ingest = IngestRequest(inputs: [.bytes(name: "river batch \(batch)", document)])
                ingest.readsServerFiles = false
                ingest.format = .generic
                ingest.repository = request.repository
                ingest.branch = request.branch
                ingest.commit = request.commit
                ingest.usesReportedTime = false
                if case .scans(let summary, _, _) = try self.ingest(ingest, by: principal) {
                    ack.new = summary.new
                    ack.seen = summary.seen
                }
            }
            body(ack)
        }
        let bytes = request.lines
        var index = 0
        while index <= bytes.count {
            if index == bytes.count || bytes[index] == 10 {
                lineNumber += 1
                var line = bytes[start..<index]
                while let last = line.last, last == 13 || last == 32 || last == 9 { line = line.dropLast() }
                while let first = line.first, first == 32 || first == 9 { line = line.dropFirst() }
                if !line.isEmpty {
                    pending.append((lineNumber, line))
                    if pending.count >= request.batchSize { try flush() }
                }
                start = index + 1
            }
            index += 1
        }
        try flush()
    }
}
