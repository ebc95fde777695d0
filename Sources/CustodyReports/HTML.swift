/// Builds HTML text: every value written through ``text(_:)`` or an attribute is escaped, so
/// names from reports and teams files cannot inject markup.
public struct HTML: Sendable {
    public private(set) var output = ""

    public init() {}

    /// `&`, `<`, `>`, `"` and `'` as entities.
    public static func escape(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for character in value {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Markup the caller wrote itself (tags, a chart drawn by ``SVG``), not data.
    public mutating func raw(_ markup: String) { output += markup }

    public mutating func text(_ value: String) { output += Self.escape(value) }

    /// `<tag attributes>content</tag>`, the attribute values escaped.
    public mutating func element(
        _ tag: String, _ attributes: [(String, String)] = [], _ content: (inout HTML) -> Void = { _ in }
    ) {
        output += "<" + tag
        for (name, value) in attributes { output += " \(name)=\"\(Self.escape(value))\"" }
        output += ">"
        content(&self)
        output += "</\(tag)>"
    }

    /// An element holding text only.
    public mutating func element(_ tag: String, _ attributes: [(String, String)] = [], text: String) {
        element(tag, attributes) { $0.text(text) }
    }

    /// A table: a header row and rows of cells; cells of the columns in `numeric` align right.
    public mutating func table(
        caption: String? = nil, _ header: [String], _ rows: [[String]], numeric: Set<Int> = []
    ) {
        element("table") { html in
            if let caption { html.element("caption", text: caption) }
            html.element("thead") { html in
                html.element("tr") { html in
                    for (index, name) in header.enumerated() {
                        html.element(
                            "th", [("scope", "col")] + (numeric.contains(index) ? [("class", "n")] : []), text: name)
                    }
                }
            }
            html.element("tbody") { html in
                for row in rows {
                    html.element("tr") { html in
                        for (index, cell) in row.enumerated() {
                            html.element("td", numeric.contains(index) ? [("class", "n")] : [], text: cell)
                        }
                    }
                }
            }
        }
    }

    /// A whole document: a title, the reports' style sheet (print-ready: A4, appendices on new
    /// pages) and the body. No script.
    public static func document(title: String, body: (inout HTML) -> Void) -> String {
        var html = HTML()
        html.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        html.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        // No script, no fetch: the page is its own text, style and inline SVG.
        html.raw(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")
        html.element("title", text: title)
        html.raw("<style>\(styleSheet)</style></head><body>")
        body(&html)
        html.raw("</body></html>\n")
        return html.output
    }

    static let styleSheet = """
        @page { size: A4; margin: 14mm; }
        body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1b1f24; margin: 0 auto;
               max-width: 60rem; padding: 1rem; line-height: 1.4; font-size: 11pt; }
        h1 { font-size: 1.6rem; margin: 0 0 .2rem; } h2 { font-size: 1.2rem; margin: 1.4rem 0 .4rem; }
        h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
        .sub { color: #4a5360; margin: 0 0 1rem; }
        .tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: .6rem; margin: .8rem 0; }
        .tile { border: 1px solid #c9d1d9; border-radius: 6px; padding: .5rem .7rem; }
        .tile b { display: block; font-size: 1.5rem; } .tile span { color: #4a5360; font-size: .85rem; }
        .bad b { color: #b42318; } .good b { color: #067647; }
        ul.findings li { margin-bottom: .35rem; }
        table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-size: .9rem; }
        caption { text-align: left; font-weight: bold; padding: .2rem 0; }
        th, td { border-bottom: 1px solid #d0d7de; padding: .25rem .4rem; text-align: left; vertical-align: top; }
        th { background: #f3f5f7; } .n { text-align: right; font-variant-numeric: tabular-nums; }
        section.appendix { break-before: page; }
        h2, h3, caption { break-after: avoid; } svg, tr { break-inside: avoid; }
        figure { margin: .6rem 0 1rem; } figcaption { color: #4a5360; font-size: .85rem; }
        svg { max-width: 100%; height: auto; } svg text { font-family: inherit; }
        .note { color: #4a5360; font-size: .85rem; }
        @media (max-width: 40rem) { .tiles { grid-template-columns: repeat(2, 1fr); } }
        """
}
