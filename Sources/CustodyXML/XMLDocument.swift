internal import CXML2

/// An XML element as the readers see it: its name, attributes, child elements and text.
public struct XMLElement: Sendable {
    public var name: String
    public var attributes: [String: String]
    public var children: [XMLElement]
    /// The element's own text (its text and CDATA children, joined).
    public var text: String
    /// The line it starts on in the document.
    public var line: Int

    /// The first child named `name`.
    public func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }
    /// Every child named `name`.
    public func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }
    /// The text of the first child named `name`, trimmed (nil: no such child, or empty).
    public func text(of name: String) -> String? {
        guard let text = child(name)?.text.trimmingWhitespace(), !text.isEmpty else { return nil }
        return text
    }
}

/// Why a document could not be read: libxml2's message and where.
public struct XMLError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var line: Int?
    public var description: String { line.map { "line \($0): \(message)" } ?? message }
}

/// An XML document read by libxml2 (Debian's libxml2) into ``XMLElement`` values. Entities are
/// never substituted and nothing is loaded from the network or from a DTD, so an external
/// entity cannot read a file or reach a server; documents nested deeper than `maxDepth` are
/// refused.
public enum XMLDocument {
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 256) throws(XMLError) -> XMLElement {
        guard bytes.count < Int(Int32.max) else { throw XMLError(message: "the document is too large") }
        var message = [CChar](repeating: 0, count: 512)
        var line: Int32 = 0
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { pointer in
                custody_xml_read(pointer, Int32(buffer.count), &message, Int32(message.count), &line)
            }
        }
        guard let document else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw XMLError(message: "not well-formed XML: \(text.trimmingWhitespace())", line: Int(line))
        }
        defer { custody_xml_free_document(document) }
        guard let root = custody_xml_root(document) else { throw XMLError(message: "the document has no element") }
        return try element(root, depth: 0, maxDepth: maxDepth)
    }

    static func element(_ node: UnsafeMutableRawPointer, depth: Int, maxDepth: Int) throws(XMLError) -> XMLElement {
        guard depth < maxDepth else {
            throw XMLError(message: "nested deeper than \(maxDepth) elements", line: Int(custody_xml_line(node)))
        }
        var attributes: [String: String] = [:]
        var attribute = custody_xml_first_attribute(node)
        while let current = attribute {
            if let name = custody_xml_attribute_name(current), let value = custody_xml_attribute_value(node, current) {
                attributes[String(cString: name)] = String(cString: value)
                custody_xml_free(value)
            }
            attribute = custody_xml_next_attribute(current)
        }
        var children: [XMLElement] = []
        var text = ""
        var child = custody_xml_first_child(node)
        while let current = child {
            switch custody_xml_kind(current) {
            case 1: children.append(try element(current, depth: depth + 1, maxDepth: maxDepth))
            case 3, 4: if let content = custody_xml_content(current) { text += String(cString: content) }
            default: break
            }
            child = custody_xml_next(current)
        }
        return XMLElement(
            name: custody_xml_name(node).map { String(cString: $0) } ?? "", attributes: attributes,
            children: children, text: text, line: Int(custody_xml_line(node)))
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
