/// What each listing order keys on, in one place: the SQL expression the listing sorts by (the
/// same text as the index that serves it, so the planner walks the index), a row's key as a
/// cursor carries it, and that key bound back as a parameter. Both engines speak the SQL.
extension FindingSort {
    /// The SQL expression of the order (nil: the id alone).
    var expression: String? {
        switch self {
        case .id: nil
        case .severity: "(" + Schema.severityRank(of: "f.severity") + ")"  // findings_team_severity
        case .due: Schema.dueKey(of: "f.due_at")  // findings_team_due
        // Negated so that one ascending key serves every order (findings_team_priority).
        case .priority: Schema.priorityKey(of: "f.priority")
        }
    }

    /// A row's key in this order, as text (what `expression` gives for it).
    func key(of row: FindingRow) -> String {
        switch self {
        case .id: ""
        case .severity: String(4 - row.severity.rank)  // the SQL ranks critical 0 ... info 4
        case .due: row.dueAt ?? "~"
        case .priority: String(-(row.priority ?? -1))  // -coalesce(priority, -1)
        }
    }

    /// A cursor's key as the parameter compared with `expression`.
    func value(of key: String) -> SQLValue {
        switch self {
        case .severity: .integer(Int64(key) ?? 0)
        case .priority: .real(Double(key) ?? 0)
        case .id, .due: .text(key)
        }
    }
}
