import CustodyCore
import CustodyJSON
import CustodyStore
import Foundation

/// The words of notifications: digest lines, ticket titles and bodies, e-mail text.
enum Messages {
    static func digestTitle(_ delivery: Delivery) -> String {
        let count = delivery.items.count + delivery.moreItems
        let team = delivery.team?.name ?? "Unowned findings"
        return "Custody: \(team): \(count) update\(count == 1 ? "" : "s") on \(delivery.day ?? "")"
    }

    /// One line per item: what happened, to which finding.
    static func line(_ item: DigestItem) -> String {
        let payload = try? JSONDocument(bytes: Array(item.payload.utf8)).root
        func field(_ key: String) -> String? { payload?.member(key)?.string }
        func list(_ key: String) -> [String] { payload?.member(key)?.array.map { $0.compactMap(\.string) } ?? [] }
        let what: String
        switch item.kind {
        case "escalation":
            let to = list("to")
            what = "escalated to \(field("stage") ?? "?")" + (to.isEmpty ? "" : " (\(to.joined(separator: ", ")))")
        case "transfer":
            what = "transfer to this team requested (from \(field("from") ?? "nobody"): \(field("reason") ?? ""))"
        case "kev":
            what = "in CISA's KEV catalog (\(list("cves").joined(separator: ", ")))"
        default:
            what = item.kind
        }
        let location =
            (item.repository.map { $0 + " " } ?? "") + (item.path ?? "-") + (item.line.map { ":\($0)" } ?? "")
        let finding = item.findingID.map { "#\($0)" } ?? "-"
        let due = item.dueAt.map { ", due \($0.prefix(10))" } ?? ""
        return "\(finding) [\(item.severity ?? "?")] \(item.rule ?? "?") at \(location): \(what)\(due)"
    }

    static func digestText(_ delivery: Delivery) -> String {
        var text = digestTitle(delivery) + "\n\n"
        for item in delivery.items { text += "- " + line(item) + "\n" }
        if delivery.moreItems > 0 { text += "- and \(delivery.moreItems) more: custody findings list --overdue\n" }
        return text
    }

    static func digestJSON(_ delivery: Delivery) -> JSONText.Value {
        .object([
            ("type", "custody.digest"), ("idempotency_key", .string(delivery.idempotencyKey)),
            ("sink", .string(delivery.sink)), ("day", .optional(delivery.day)),
            (
                "team",
                delivery.team.map { team in
                    .object([
                        ("id", .string(team.id)), ("name", .string(team.name)), ("lead", .optional(team.lead)),
                        ("channels", .strings(team.channels)),
                    ])
                } ?? .null
            ),
            (
                "items",
                .array(
                    delivery.items.map { item in
                        .object([
                            ("kind", .string(item.kind)), ("at", .string(item.at)),
                            ("finding_id", .optional(item.findingID)), ("severity", .optional(item.severity)),
                            ("rule", .optional(item.rule)), ("repository", .optional(item.repository)),
                            ("path", .optional(item.path)), ("line", .optional(item.line)),
                            ("message", .optional(item.message)), ("status", .optional(item.status)),
                            ("due_at", .optional(item.dueAt)), ("details", .raw(item.payload)),
                            ("text", .string(line(item))),
                        ])
                    })
            ),
            ("more_items", .int(Int64(delivery.moreItems))),
        ])
    }

    /// Where a digest goes by e-mail: the sink's fixed recipients, the team's e-mail channels,
    /// and the people the escalation steps name, when they are e-mail addresses.
    static func emailRecipients(_ delivery: Delivery, sink: SinkConfiguration) -> [String] {
        var out: [String] = []
        func add(_ candidate: String) {
            var address = candidate
            if address.hasPrefix("email:") { address.removeFirst(6) }
            guard isEmailAddress(address), !out.contains(address) else { return }
            out.append(address)
        }
        sink.to.forEach(add)
        delivery.team?.channels.filter { $0.hasPrefix("email:") }.forEach(add)
        for item in delivery.items where item.kind == "escalation" {
            let payload = try? JSONDocument(bytes: Array(item.payload.utf8)).root
            payload?.member("to")?.array?.compactMap(\.string).forEach(add)
        }
        return out
    }

    static func isEmailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !text.contains {
                $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," || $0.asciiValue.map { $0 < 32 } ?? false
            }
    }

    /// No line breaks or other controls in a header value: nothing can be injected after it.
    static func headerValue(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 32 || $0.value == 127 ? " " : Character($0) })
    }

    static func email(_ delivery: Delivery, from: String, to: [String], date: Date) -> [UInt8] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let headers = [
            "From: \(headerValue(from))", "To: \(to.map(headerValue).joined(separator: ", "))",
            "Subject: \(headerValue(digestTitle(delivery)))", "Date: \(formatter.string(from: date))",
            "Message-ID: <\(SHA256.hex(delivery.idempotencyKey).prefix(32))@custody>", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit",
            "X-Custody-Idempotency-Key: \(headerValue(delivery.idempotencyKey))",
        ]
        let body = digestText(delivery).split(separator: "\n", omittingEmptySubsequences: false).map {
            // SMTP ends the message at a line holding one dot: dot-stuff lines that begin with one.
            $0.hasPrefix(".") ? "." + $0 : String($0)
        }
        return Array((headers + [""] + body).joined(separator: "\r\n").utf8)
    }

    static func ticketTitle(_ finding: FindingRow) -> String {
        let location = (finding.path ?? "-") + (finding.line.map { ":\($0)" } ?? "")
        return "[custody] \(finding.severity.rawValue): \(finding.rule) in \(finding.repository ?? "-") \(location)"
    }

    static func ticketBody(_ finding: FindingRow) -> String {
        var lines = [
            "Custody finding #\(finding.id) (\(finding.severity.rawValue), \(finding.status.rawValue))", "",
            "What: \(finding.tool) \(finding.rule): \(finding.message)",
            "Where: \(finding.repository ?? "-") \(finding.path ?? "-")\(finding.line.map { ":\($0)" } ?? "")",
            "Owner: \(finding.ownerTeam ?? "nobody yet")", "Due: \(finding.dueAt ?? "no due date")",
        ]
        if !finding.cves.isEmpty { lines.append("CVEs: \(finding.cves.joined(separator: ", "))") }
        if let introducer = finding.introducer {
            lines.append(
                "Introduced: \(introducer.commit.prefix(12)) by \(introducer.author) (\(introducer.release ?? "unreleased"))"
            )
        }
        lines += ["", "Its chain of custody: custody trace \(finding.id)"]
        return lines.joined(separator: "\n")
    }
}
