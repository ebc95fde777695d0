internal import CYAML

/// A YAML document as a tree, read with libyaml; each node keeps its line for diagnostics.
/// Anchors and aliases are resolved; tags are ignored (scalars stay strings).
public indirect enum YAMLNode: Sendable, Equatable {
    case scalar(String, line: Int)
    case sequence([YAMLNode], line: Int)
    case mapping([(key: String, value: YAMLNode)], line: Int)

    public var line: Int {
        switch self {
        case .scalar(_, let line), .sequence(_, let line), .mapping(_, let line): line
        }
    }

    public var string: String? { if case .scalar(let text, _) = self { text } else { nil } }
    public var items: [YAMLNode]? { if case .sequence(let items, _) = self { items } else { nil } }
    public var entries: [(key: String, value: YAMLNode)]? {
        if case .mapping(let entries, _) = self { entries } else { nil }
    }

    public subscript(key: String) -> YAMLNode? {
        entries?.first { $0.key == key }?.value
    }

    public static func == (lhs: YAMLNode, rhs: YAMLNode) -> Bool {
        switch (lhs, rhs) {
        case (.scalar(let a, _), .scalar(let b, _)): a == b
        case (.sequence(let a, _), .sequence(let b, _)): a == b
        case (.mapping(let a, _), .mapping(let b, _)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Parses every document in `text` (a file may hold several, separated by `---`).
    public static func parseAll(_ text: String, maxDepth: Int = 64) throws -> [YAMLNode] {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw ParseError(line: 0, message: "cannot start the YAML parser")
        }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var reader = EventReader(parser: &parser, maxDepth: maxDepth)
            return try reader.documents()
        }
    }
}

private struct EventReader {
    let parser: UnsafeMutablePointer<yaml_parser_t>
    let maxDepth: Int
    var anchors: [String: YAMLNode] = [:]

    init(parser: UnsafeMutablePointer<yaml_parser_t>, maxDepth: Int) {
        self.parser = parser
        self.maxDepth = maxDepth
    }

    enum Event {
        case streamStart, streamEnd, documentStart, documentEnd
        case scalar(String, anchor: String?, line: Int)
        case alias(String, line: Int)
        case sequenceStart(anchor: String?, line: Int), sequenceEnd
        case mappingStart(anchor: String?, line: Int), mappingEnd
    }

    mutating func next() throws -> Event {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else {
            let problem = parser.pointee.problem.map { String(cString: $0) } ?? "invalid YAML"
            let context = parser.pointee.context.map { String(cString: $0) + ": " } ?? ""
            throw YAMLNode.ParseError(line: Int(parser.pointee.problem_mark.line) + 1, message: context + problem)
        }
        defer { yaml_event_delete(&event) }
        let line = Int(event.start_mark.line) + 1
        func text(_ pointer: UnsafeMutablePointer<UInt8>?, _ length: Int? = nil) -> String? {
            guard let pointer else { return nil }
            if let length { return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self) }
            return String(cString: pointer)
        }
        switch event.type {
        case YAML_STREAM_START_EVENT: return .streamStart
        case YAML_STREAM_END_EVENT: return .streamEnd
        case YAML_DOCUMENT_START_EVENT: return .documentStart
        case YAML_DOCUMENT_END_EVENT: return .documentEnd
        case YAML_ALIAS_EVENT: return .alias(text(event.data.alias.anchor) ?? "", line: line)
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            return .scalar(text(scalar.value, scalar.length) ?? "", anchor: text(scalar.anchor), line: line)
        case YAML_SEQUENCE_START_EVENT:
            return .sequenceStart(anchor: text(event.data.sequence_start.anchor), line: line)
        case YAML_SEQUENCE_END_EVENT: return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            return .mappingStart(anchor: text(event.data.mapping_start.anchor), line: line)
        case YAML_MAPPING_END_EVENT: return .mappingEnd
        default: return try next()
        }
    }

    mutating func documents() throws -> [YAMLNode] {
        var documents: [YAMLNode] = []
        while true {
            switch try next() {
            case .streamStart, .documentEnd: continue
            case .streamEnd: return documents
            case .documentStart:
                anchors = [:]
                let event = try next()
                if case .documentEnd = event {
                    continue
                }
                documents.append(try node(from: event, depth: 0))
            default:
                throw YAMLNode.ParseError(line: 0, message: "unexpected YAML event")
            }
        }
    }

    mutating func node(from event: Event, depth: Int) throws -> YAMLNode {
        switch event {
        case .scalar(let value, let anchor, let line):
            let node = YAMLNode.scalar(value, line: line)
            if let anchor { anchors[anchor] = node }
            return node
        case .alias(let name, let line):
            guard let node = anchors[name] else {
                throw YAMLNode.ParseError(line: line, message: "unknown alias *\(name)")
            }
            return node
        case .sequenceStart(let anchor, let line):
            guard depth < maxDepth else {
                throw YAMLNode.ParseError(line: line, message: "nesting deeper than \(maxDepth)")
            }
            var items: [YAMLNode] = []
            while true {
                let event = try next()
                if case .sequenceEnd = event { break }
                items.append(try node(from: event, depth: depth + 1))
            }
            let node = YAMLNode.sequence(items, line: line)
            if let anchor { anchors[anchor] = node }
            return node
        case .mappingStart(let anchor, let line):
            guard depth < maxDepth else {
                throw YAMLNode.ParseError(line: line, message: "nesting deeper than \(maxDepth)")
            }
            var entries: [(key: String, value: YAMLNode)] = []
            var merged = Set<String>()
            while true {
                let keyEvent = try next()
                if case .mappingEnd = keyEvent { break }
                let key = try node(from: keyEvent, depth: depth + 1)
                guard let name = key.string else {
                    throw YAMLNode.ParseError(line: key.line, message: "mapping keys must be plain text")
                }
                let value = try node(from: try next(), depth: depth + 1)
                if name == "<<", let source = value.entries {
                    for entry in source where !entries.contains(where: { $0.key == entry.key }) {
                        entries.append(entry)
                        merged.insert(entry.key)
                    }
                    continue
                }
                if let existing = entries.firstIndex(where: { $0.key == name }) {
                    // A key written out overrides one brought in by a merge; two written out are an error.
                    guard merged.remove(name) != nil else {
                        throw YAMLNode.ParseError(line: key.line, message: "duplicate key '\(name)'")
                    }
                    entries[existing].value = value
                    continue
                }
                entries.append((name, value))
            }
            let node = YAMLNode.mapping(entries, line: line)
            if let anchor { anchors[anchor] = node }
            return node
        default:
            throw YAMLNode.ParseError(line: 0, message: "unexpected YAML structure")
        }
    }
}
