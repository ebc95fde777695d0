import CustodyCore
import CustodyService
import Foundation

/// The post-incident review of findings, as HTML or Markdown: introduction, the person for the
/// incident call, discovery, every hand-off with its delay, acknowledgement, SLA and escalations.
public enum IncidentReportPage {
    /// The facts of one review, as (label, value) lines, in the order both renderings use.
    static func facts(_ review: IncidentReview) -> [(String, String)] {
        let row = review.finding
        var facts: [(String, String)] = [
            ("Finding", "\(row.id): \(row.rule) (\(row.severity.rawValue), \(row.status.rawValue)) from \(row.tool)"),
            (
                "Where",
                [row.repository, row.path.map { $0 + (row.line.map { ":\($0)" } ?? "") }, row.package]
                    .compactMap { $0 }.joined(separator: " ")
            ),
        ]
        if !row.cves.isEmpty { facts.append(("CVEs", row.cves.joined(separator: ", "))) }
        if let introducer = row.introducer {
            facts.append(
                (
                    "Introduced",
                    "\(introducer.commit.prefix(12)) by \(introducer.author) <\(introducer.email)> on "
                        + "\(introducer.authoredAt), release \(introducer.release ?? "none yet"), team then "
                        + "\(introducer.team ?? "none")"
                ))
        } else {
            facts.append(
                ("Introduced", row.introducerUnknownReason ?? "not attributed (ingest with --repo DIR --commit)"))
        }
        facts.append(
            (
                "Discovered",
                "\(row.firstSeen)"
                    + (review.escapeDays.map { String(format: ", %.1f days after it shipped", $0) } ?? "")
            ))
        facts.append(
            (
                "Owner now",
                review.owner.map { "\($0.name) (\($0.id))" + (review.unit.map { ", unit \($0.name)" } ?? "") }
                    ?? "nobody"
            ))
        facts.append(
            ("Incident call", review.owner?.lead.map { "\($0), lead of \(review.owner!.name)" } ?? "no lead on record"))
        facts.append(
            (
                "Acknowledged",
                review.acknowledged.map {
                    String(format: "%@ by %@, %.1f days after discovery", $0.at, $0.by, $0.afterDays)
                }
                    ?? "not yet"
            ))
        facts.append(("SLA", review.slaStatus))
        facts.append(
            (
                "Escalations",
                review.escalations.isEmpty
                    ? "none" : review.escalations.map { "\($0.at) \($0.what)" }.joined(separator: "; ")
            ))
        return facts
    }

    static func custodyRows(_ review: IncidentReview) -> [[String]] {
        review.custody.map {
            [
                $0.from, $0.team ?? "(unowned)", $0.heldDays.map { String(format: "%.1f days", $0) } ?? "holds it now",
                $0.reason, $0.actor,
            ]
        }
    }

    public static func html(_ reviews: [IncidentReview]) -> String {
        HTML.document(title: "Incident review: " + reviews.map { "finding \($0.finding.id)" }.joined(separator: ", ")) {
            html in
            html.element("h1", text: "Incident review")
            for review in reviews {
                html.element("section") { html in
                    html.element("h2", text: "Finding \(review.finding.id): \(review.finding.message)")
                    html.table(["", ""], facts(review).map { [$0.0, $0.1] })
                    html.table(
                        caption: "Chain of custody: every owner in turn", ["from", "owner", "held", "why", "by"],
                        custodyRows(review))
                    html.table(
                        caption: "Timeline", ["when", "what", "who"], review.timeline.map { [$0.at, $0.what, $0.who] })
                }
            }
        }
    }

    public static func markdown(_ reviews: [IncidentReview]) -> String {
        func cell(_ text: String) -> String {
            text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
        }
        func table(_ header: [String], _ rows: [[String]]) -> String {
            "| " + header.joined(separator: " | ") + " |\n|" + header.map { _ in " --- |" }.joined() + "\n"
                + rows.map { "| " + $0.map(cell).joined(separator: " | ") + " |\n" }.joined()
        }
        var text = "# Incident review\n"
        for review in reviews {
            text += "\n## Finding \(review.finding.id): \(cell(review.finding.message))\n\n"
            text += facts(review).map { "- **\($0.0)**: \(cell($0.1))\n" }.joined()
            text += "\n### Chain of custody\n\n" + table(["from", "owner", "held", "why", "by"], custodyRows(review))
            text +=
                "\n### Timeline\n\n"
                + table(["when", "what", "who"], review.timeline.map { [$0.at, $0.what, $0.who] })
        }
        return text
    }
}
