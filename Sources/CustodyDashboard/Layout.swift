import CustodyMetrics
import CustodyReports
import CustodyService
import CustodyStore

/// The chrome every dashboard page shares: the navigation the signed-in role may use, a main
/// landmark, the sign-out form, and the style sheet (served from `/static/dashboard.css`, so that
/// the Content-Security-Policy allows no inline script or style).
enum Layout {
    /// A whole page for `session` (nil: signed out), its title and its main content.
    static func page(
        _ title: String, session: SignedIn?, current: String = "", notice: String? = nil,
        _ main: (inout HTML) -> Void
    ) -> String {
        var html = HTML()
        html.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        html.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        html.element("title", text: "\(title) \u{00B7} Custody")
        html.raw("<link rel=\"stylesheet\" href=\"/static/dashboard.css\"></head><body>")
        html.element("a", [("class", "skip"), ("href", "#main")], text: "Skip to content")
        html.element("header") { html in
            html.element("a", [("class", "brand"), ("href", "/")], text: "Custody")
            if let session {
                html.element("nav", [("aria-label", "Main")]) { html in
                    html.element("ul") { html in
                        for (label, href) in links(for: session.principal) {
                            html.element("li") { html in
                                var attributes = [("href", href)]
                                if href == current { attributes.append(("aria-current", "page")) }
                                html.element("a", attributes, text: label)
                            }
                        }
                    }
                }
                html.element("form", [("method", "post"), ("action", "/signout"), ("class", "signout")]) { html in
                    Forms.csrf(session, into: &html)
                    html.element("span", [("class", "who")], text: "\(session.principal.name) (\(roleName(session)))")
                    html.element("button", [("type", "submit")], text: "Sign out")
                }
            }
        }
        html.element("main", [("id", "main"), ("tabindex", "-1")]) { html in
            if let notice { html.element("p", [("class", "notice"), ("role", "status")], text: notice) }
            main(&html)
        }
        html.raw("</body></html>\n")
        return html.output
    }

    /// The pages a principal may open: a team's member sees its teams and their findings; the
    /// security team the unowned queue too; auditors the ledger.
    static func links(for principal: Principal) -> [(String, String)] {
        var links: [(String, String)] = []
        if principal.isTeamBound {
            links += principal.teams.sorted().map { ("Team \($0)", "/teams/\($0)") }
        } else {
            links.append(("Overview", "/"))
            links.append(("Teams", "/teams"))
        }
        if principal.readsFindings {
            links.append(("Findings", "/findings"))
            links.append(("Acceptances", "/acceptances"))
        }
        if principal.readsAggregates {
            links.append(("Releases", "/releases"))
            links.append(("Gate", "/gate"))
        }
        if !principal.isScoped, [.security, .administrator].contains(principal.role) {
            links.append(("Unowned", "/unowned"))
        }
        if [.security, .administrator, .auditor].contains(principal.role) { links.append(("Ledger", "/ledger")) }
        return links
    }

    static func roleName(_ session: SignedIn) -> String {
        let principal = session.principal
        if principal.isTeamBound {
            return "\(principal.role.rawValue) of \(principal.teams.sorted().joined(separator: ", "))"
        }
        return principal.units.isEmpty ? principal.role.rawValue : "\(principal.role.rawValue), scoped"
    }

    /// Figures in a row, each with its label, those that are bad news marked (and said so in
    /// words, not only in colour); a figure with a link opens the findings behind it.
    static func tiles(_ tiles: [(value: String, label: String, bad: Bool, href: String?)], into html: inout HTML) {
        html.element("ul", [("class", "tiles")]) { html in
            for tile in tiles {
                html.element("li", [("class", tile.bad ? "tile bad" : "tile")]) { html in
                    if let href = tile.href {
                        html.element("a", [("href", href)]) { html in
                            html.element("b", text: tile.value)
                            html.element("span", text: tile.label)
                        }
                    } else {
                        html.element("b", text: tile.value)
                        html.element("span", text: tile.label)
                    }
                }
            }
        }
    }

    /// A table that scrolls sideways on a narrow screen: its column headers (each with its
    /// class: "n" numeric, "wide" left out on a phone) and the rows `body` writes.
    static func table(_ columns: [(String, String)], into html: inout HTML, _ body: (inout HTML) -> Void) {
        html.element("div", [("class", "scroll")]) { html in
            html.element("table") { html in
                html.element("thead") { html in
                    html.element("tr") { html in
                        for (name, kind) in columns {
                            html.element("th", [("scope", "col")] + (kind.isEmpty ? [] : [("class", kind)]), text: name)
                        }
                    }
                }
                html.element("tbody", [], body)
            }
        }
    }

    /// The figure of open findings at the end of each day of a group's period.
    static func dailyOpen(_ metrics: GroupMetrics, title: String, into html: inout HTML) {
        html.element("figure") { html in
            html.raw(
                SVG.lineChart(
                    [SVG.Series("open", metrics.dailyOpen.map(Double.init))],
                    first: Format.date(seconds: metrics.since), last: Format.lastDay(metrics), title: title))
            html.element("figcaption", text: "Open findings at the end of each day of the period.")
        }
    }

    /// Bars of findings per release, the most first (ties by name), at most `limit`; nil when
    /// there are none.
    static func releaseChart(_ counts: [String: Int], limit: Int, title: String) -> String? {
        let releases = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(limit)
        guard !releases.isEmpty else { return nil }
        return SVG.barChart(releases.map { (label: $0.key, value: Double($0.value)) }, title: title)
    }

    /// A findings table's first two cells: the finding's link and its severity.
    static func findingCells(_ row: FindingRow, into html: inout HTML) {
        html.element("td") { html in html.element("a", [("href", "/findings/\(row.id)")], text: "#\(row.id)") }
        html.element("td", [("class", "sev-\(row.severity.rawValue)")], text: row.severity.rawValue)
    }

    /// A link, or the plain text when there is nowhere to go.
    static func link(_ text: String, _ href: String?, into html: inout HTML) {
        if let href { html.element("a", [("href", href)], text: text) } else { html.text(text) }
    }

    /// The style sheet: readable on a laptop and a 390-px phone, a focus ring on everything that
    /// takes the keyboard, colours at WCAG AA contrast.
    public static let styleSheet = """
        :root { --ink: #1b1f24; --muted: #4a5360; --line: #c9d1d9; --bad: #b42318; --good: #067647;
                --accent: #0b5cad; --paper: #ffffff; --soft: #f3f5f7; }
        * { box-sizing: border-box; }
        body { font-family: "DejaVu Sans", system-ui, Arial, sans-serif; color: var(--ink); background: var(--paper);
               margin: 0; line-height: 1.45; font-size: 15px; }
        a { color: var(--accent); } a:hover { text-decoration-thickness: 2px; }
        :focus-visible { outline: 3px solid #f5a300; outline-offset: 2px; }
        .skip { position: absolute; left: -999px; top: 0; background: var(--paper); padding: .4rem; }
        .skip:focus { left: .5rem; }
        header { display: flex; flex-wrap: wrap; align-items: center; gap: .6rem 1.2rem; padding: .6rem 1rem;
                 border-bottom: 1px solid var(--line); background: var(--soft); }
        .brand { font-weight: bold; font-size: 1.15rem; color: var(--ink); text-decoration: none; }
        nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .2rem .9rem; margin: 0; padding: 0; }
        nav a[aria-current="page"] { font-weight: bold; color: var(--ink); }
        .signout { margin-left: auto; display: flex; gap: .5rem; align-items: center; }
        .who { color: var(--muted); font-size: .9rem; }
        main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
        main:focus { outline: none; }
        h1 { font-size: 1.5rem; margin: .2rem 0 .3rem; } h2 { font-size: 1.15rem; margin: 1.4rem 0 .4rem; }
        .sub { color: var(--muted); margin: 0 0 1rem; }
        .notice { border-left: 4px solid var(--good); background: #ecfdf3; padding: .5rem .8rem; }
        .problem { border-left: 4px solid var(--bad); background: #fef3f2; padding: .5rem .8rem; }
        .tiles { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr));
                 gap: .6rem; margin: .8rem 0; }
        .tile { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .7rem; }
        .tile a { text-decoration: none; color: inherit; display: block; }
        .tile b { display: block; font-size: 1.5rem; } .tile span { color: var(--muted); font-size: .85rem; }
        .tile.bad b { color: var(--bad); }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-size: .92rem; }
        caption { text-align: left; font-weight: bold; padding: .2rem 0; }
        th, td { border-bottom: 1px solid var(--line); padding: .3rem .45rem; text-align: left; vertical-align: top; }
        th { background: var(--soft); } tbody th { background: none; font-weight: 600; } .n { text-align: right; font-variant-numeric: tabular-nums; }
        .sev-critical, .sev-high { color: var(--bad); font-weight: bold; }
        form.inline, .filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: .4rem 0; }
        label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); gap: .15rem; }
        input, select, textarea, button { font: inherit; color: var(--ink); padding: .3rem .45rem;
                 border: 1px solid #6e7781; border-radius: 4px; background: var(--paper); }
        button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
        button.secondary { background: var(--paper); color: var(--accent); }
        details { margin: .2rem 0; } summary { cursor: pointer; color: var(--accent); }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: .4rem 0 1rem; }
        dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
        ol.timeline { padding-left: 1.2rem; } ol.timeline li { margin-bottom: .4rem; }
        .muted { color: var(--muted); }
        pre.code { background: var(--soft); border: 1px solid var(--line); padding: .5rem; overflow-x: auto;
                   font-size: .85rem; margin: 0; }
        pre.code .line { display: block; } pre.code .flagged { background: #fff4ce; font-weight: bold; }
        figure { margin: .6rem 0 1rem; } figcaption { color: var(--muted); font-size: .85rem; }
        svg { max-width: 100%; height: auto; } svg text { font-family: inherit; }
        .pages { display: flex; gap: 1rem; }
        @media (max-width: 40rem) {
            body { font-size: 16px; } main { padding: .6rem; } .signout { margin-left: 0; }
            .wide { display: none; }
        }
        """
}
