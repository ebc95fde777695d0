import CustodyCore

/// How a listing is streamed.
public enum StreamFormat: String, Sendable, CaseIterable {
    /// One JSON array.
    case json
    /// JSON Lines: one object per line.
    case jsonl
    /// RFC 4180 CSV with a header record.
    case csv
}

/// Writes rows to a sink as they come, in one of the stream formats, flushing every 64 KB:
/// memory is flat in the number of rows and each byte is written once.
public struct RowStream {
    public let format: StreamFormat
    let sink: any ByteSink
    var writer = JSONWriter(capacity: 1 << 17)
    var rows = 0
    let csvHeader: [String]

    public init(format: StreamFormat, sink: any ByteSink, csvHeader: [String] = []) {
        self.format = format
        self.sink = sink
        self.csvHeader = csvHeader
    }

    /// Writes one row: `json` writes its object, `csv` its record (CSV only).
    public mutating func row(json: (inout JSONWriter) -> Void, csv: ((inout [UInt8]) -> Void)? = nil) throws {
        switch format {
        case .json:
            writer.bytes.append(rows == 0 ? UInt8(ascii: "[") : UInt8(ascii: ","))
            json(&writer)
        case .jsonl:
            json(&writer)
            writer.bytes.append(0x0A)
        case .csv:
            if rows == 0 { CSV.append(csvHeader, to: &writer.bytes) }
            csv?(&writer.bytes)
        }
        rows += 1
        if writer.bytes.count >= 1 << 16 { try flush() }
    }

    /// Closes the array (an empty one when there were no rows) and flushes.
    public mutating func finish() throws {
        switch format {
        case .json: writer.bytes.append(contentsOf: rows == 0 ? Array("[]\n".utf8) : Array("]\n".utf8))
        case .jsonl: break
        case .csv: if rows == 0 { CSV.append(csvHeader, to: &writer.bytes) }
        }
        try flush()
    }

    mutating func flush() throws {
        guard !writer.bytes.isEmpty else { return }
        try sink.write(writer.bytes)
        writer.removeAll()
    }
}
