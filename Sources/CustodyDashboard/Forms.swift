import CustodyReports
import CustodyService

/// The pieces of the dashboard's forms: every form that changes something carries the session's
/// form token, and every field has a visible label.
enum Forms {
    static func csrf(_ session: SignedIn, into html: inout HTML) {
        html.raw("<input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape(session.csrf))\">")
    }

    /// A labelled text field.
    static func field(
        _ label: String, name: String, value: String = "", required: Bool = false, type: String = "text",
        into html: inout HTML
    ) {
        html.element("label") { html in
            html.text(label)
            var attributes = [("type", type), ("name", name), ("value", value)]
            if required { attributes.append(("required", "required")) }
            html.raw("<input")
            for (key, text) in attributes { html.raw(" \(key)=\"\(HTML.escape(text))\"") }
            html.raw(">")
        }
    }

    /// A labelled choice; `options` are (value, text), `selected` the value chosen.
    static func select(
        _ label: String, name: String, _ options: [(String, String)], selected: String? = nil, into html: inout HTML
    ) {
        html.element("label") { html in
            html.text(label)
            html.element("select", [("name", name)]) { html in
                for (value, text) in options {
                    html.element(
                        "option", [("value", value)] + (value == selected ? [("selected", "selected")] : []),
                        text: text)
                }
            }
        }
    }

    /// A POST form to `action` with the session's token, its fields and a submit button.
    static func post(
        _ action: String, session: SignedIn, button: String, secondary: Bool = false, into html: inout HTML,
        _ fields: (inout HTML) -> Void = { _ in }
    ) {
        html.element("form", [("method", "post"), ("action", action), ("class", "inline")]) { html in
            csrf(session, into: &html)
            fields(&html)
            html.element("button", [("type", "submit")] + (secondary ? [("class", "secondary")] : []), text: button)
        }
    }
}
