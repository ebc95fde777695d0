import CustodyCore
import CustodyMetrics
import Foundation

extension Wire {
    /// A survival estimate: the quantiles (null where the curve never falls that far), the
    /// counts, the naive mean beside them, and the curve's steps.
    public static func survival(_ estimate: Survival) -> JSONText.Value {
        .object([
            ("median_days", .optional(estimate.medianDays)), ("p75_days", .optional(estimate.p75Days)),
            ("p90_days", .optional(estimate.p90Days)), ("observed", .int(Int64(estimate.observed))),
            ("censored", .int(Int64(estimate.censored))), ("naive_mean_days", .optional(estimate.naiveMeanDays)),
            (
                "curve",
                .array(
                    estimate.curve.map { .object([("days", .double($0.days)), ("survival", .double($0.survival))]) })
            ),
        ])
    }

    static func counts(_ counts: [String: Int]) -> JSONText.Value {
        .object(counts.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) })
    }

    static func shares(_ shares: ActorShares) -> JSONText.Value {
        .object([
            ("owning_team", .int(Int64(shares.owningTeam))), ("other_team", .int(Int64(shares.otherTeam))),
            ("no_team", .int(Int64(shares.noTeam))), ("owning_team_share", .optional(shares.owningShare)),
        ])
    }

    static func arrivals(_ metrics: GroupMetrics) -> JSONText.Value {
        .object(
            Arrivals.Interval.allCases.map { interval in
                (
                    interval == .day ? "daily" : interval.rawValue + "ly",
                    .array(
                        Arrivals.buckets(metrics, since: metrics.since, per: interval).map {
                            .object([
                                ("start", .string($0.start)), ("new", .int(Int64($0.new))),
                                ("fixed", .int(Int64($0.fixed))), ("reopened", .int(Int64($0.reopened))),
                            ])
                        })
                )
            })
    }

    public static func groupMetrics(_ metrics: GroupMetrics) -> JSONText.Value {
        .object([
            ("group", .string(metrics.group)),
            (
                "open",
                .object(
                    [("total", .int(Int64(metrics.open)))]
                        + Severity.allCases.map { ($0.rawValue, .int(Int64(metrics.openBySeverity[$0] ?? 0))) })
            ),
            (
                "open_by_ssvc",
                .object(
                    SSVC.Decision.allCases.reversed().map { ($0.rawValue, .int(Int64(metrics.openBySSVC[$0] ?? 0))) })
            ),
            ("new", .int(Int64(metrics.new))), ("fixed", .int(Int64(metrics.fixed))),
            ("capacity", .optional(metrics.capacity)),
            ("time_to_own", survival(metrics.timeToOwn)), ("time_to_remediate", survival(metrics.timeToRemediate)),
            (
                "time_to_remediate_by_severity",
                .object(
                    Severity.allCases.compactMap { severity in
                        metrics.timeToRemediateBySeverity[severity].map { (severity.rawValue, survival($0)) }
                    })
            ),
            (
                "time_to_own_by_severity",
                .object(
                    Severity.allCases.compactMap { severity in
                        metrics.timeToOwnBySeverity[severity].map { (severity.rawValue, survival($0)) }
                    })
            ),
            (
                "sla",
                .object([
                    ("compliance", .optional(metrics.slaCompliance)),
                    ("fixed_within", .int(Int64(metrics.fixedWithinSLA))),
                    ("fixed_with_due_date", .int(Int64(metrics.fixedWithDueDate))),
                    ("open_past_due", .int(Int64(metrics.openPastDue))), ("overdue_days", .double(metrics.overdueDays)),
                ])
            ),
            ("reopened", .int(Int64(metrics.reopened))),
            (
                "escalated",
                .object(
                    [
                        (EscalationStage.team, "team"), (.lead, "lead"), (.unitHead, "unit_head"),
                        (.executive, "executive"),
                    ]
                    .map { ($0.1, .int(Int64(metrics.escalated[$0.0] ?? 0))) })
            ),
            (
                "risk_accepted",
                .object([
                    ("active", .int(Int64(metrics.riskAccepted))),
                    ("expiring_in_30_days", .int(Int64(metrics.riskAcceptedExpiringIn30Days))),
                    ("expired_in_period", .int(Int64(metrics.riskAcceptancesExpired))),
                ])
            ),
            ("daily_open", .array(metrics.dailyOpen.map { .int(Int64($0)) })),
            ("arrivals", arrivals(metrics)),
            (
                "escapes",
                .object([
                    ("introduced", .int(Int64(metrics.introduced))),
                    ("by_release", counts(metrics.introducedByRelease)),
                    ("by_introducing_team", counts(metrics.introducedByTeam)),
                    ("escape_time", survival(metrics.escapeTime)),
                    ("fixed_by_release", counts(metrics.fixedByRelease)),
                ])
            ),
            ("fixes_by", shares(metrics.fixesBy)), ("actions_by", shares(metrics.actionsBy)),
            (
                "gate",
                .object([("blocked", .int(Int64(metrics.gateBlocked))), ("warned", .int(Int64(metrics.gateWarned)))])
            ),
        ])
    }

    public static func metricsReport(_ report: MetricsReport) -> JSONText.Value {
        var members: [(String, JSONText.Value)] = [
            ("scope", .string(report.scope)), ("since", .string(Timestamp.string(report.since))),
            ("until", .string(Timestamp.string(report.until))),
            ("total", groupMetrics(report.total)), ("groups", .array(report.groups.map(groupMetrics))),
        ]
        if let gap = report.unowned {
            members.append(
                (
                    "unowned",
                    .object([
                        ("open", .int(Int64(gap.open))), ("share_of_open", .optional(gap.share)),
                        ("oldest_days", .optional(gap.oldestDays)), ("time_to_assign", survival(gap.timeToAssign)),
                    ])
                ))
        }
        return .object(members)
    }
}

extension Wire {
    /// The columns of `metrics --csv`: one row for the total, then one per group.
    public static let metricsCSVColumns = [
        "group", "open", "critical", "high", "medium", "low", "info", "new", "fixed", "capacity",
        "time_to_own_median_days", "time_to_own_p90_days", "time_to_remediate_median_days",
        "time_to_remediate_p75_days", "time_to_remediate_p90_days", "time_to_remediate_observed",
        "time_to_remediate_censored", "time_to_remediate_naive_mean_days", "sla_compliance", "open_past_due",
        "overdue_days", "reopened", "open_ssvc_act", "open_ssvc_attend", "introduced", "escape_time_median_days",
        "fixes_by_owning_team_share", "actions_by_owning_team_share", "gate_blocked", "gate_warned",
    ]

    /// `metrics --csv` (RFC 4180): empty cells where an estimate is undefined.
    public static func metricsCSV(_ report: MetricsReport) -> String {
        var out: [UInt8] = []
        CSV.append(metricsCSVColumns, to: &out)
        func number(_ value: Double?) -> String { value.map { "\($0)" } ?? "" }
        for metrics in [report.total] + report.groups {
            let remediate = metrics.timeToRemediate
            CSV.append(
                [metrics.group, String(metrics.open)]
                    + Severity.allCases.map { String(metrics.openBySeverity[$0] ?? 0) }
                    + [
                        String(metrics.new), String(metrics.fixed), number(metrics.capacity),
                        number(metrics.timeToOwn.medianDays), number(metrics.timeToOwn.p90Days),
                        number(remediate.medianDays), number(remediate.p75Days), number(remediate.p90Days),
                        String(remediate.observed), String(remediate.censored), number(remediate.naiveMeanDays),
                        number(metrics.slaCompliance), String(metrics.openPastDue), number(metrics.overdueDays),
                        String(metrics.reopened), String(metrics.openBySSVC[.act] ?? 0),
                        String(metrics.openBySSVC[.attend] ?? 0), String(metrics.introduced),
                        number(metrics.escapeTime.medianDays), number(metrics.fixesBy.owningShare),
                        number(metrics.actionsBy.owningShare), String(metrics.gateBlocked), String(metrics.gateWarned),
                    ], to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `metrics --prometheus`: the text exposition format (version 0.0.4), every figure a gauge
    /// labelled by its group, durations in seconds (Prometheus' base unit); an undefined estimate
    /// has no sample.
    public static func metricsPrometheus(_ report: MetricsReport) -> String {
        var families: [(name: String, help: String, samples: [(labels: [(String, String)], value: Double)])] = []
        func family(_ name: String, _ help: String, _ samples: [(labels: [(String, String)], value: Double?)]) {
            families.append((name, help, samples.compactMap { sample in sample.value.map { (sample.labels, $0) } }))
        }
        let all = [report.total] + report.groups
        // Gauges, so the estimate is a label of its own ("quantile" belongs to summaries).
        let quantiles: [(String, KeyPath<Survival, Double?>)] = [
            ("median", \.medianDays), ("p75", \.p75Days), ("p90", \.p90Days),
        ]
        family(
            "custody_open_findings", "Open findings at the end of the period.",
            all.flatMap { metrics in
                Severity.allCases.map {
                    ([("group", metrics.group), ("severity", $0.rawValue)], Double(metrics.openBySeverity[$0] ?? 0))
                }
            })
        family(
            "custody_new_findings", "Findings first seen in the period.",
            all.map { ([("group", $0.group)], Double($0.new)) })
        family(
            "custody_fixed_findings", "Findings fixed in the period.",
            all.map { ([("group", $0.group)], Double($0.fixed)) })
        for (name, help, estimate) in [
            (
                "custody_time_to_own_seconds", "Kaplan-Meier time from discovery to the owner's first action.",
                \GroupMetrics.timeToOwn
            ),
            (
                "custody_time_to_remediate_seconds", "Kaplan-Meier time from discovery to fix.",
                \GroupMetrics.timeToRemediate
            ),
        ] {
            family(
                name, help + " Findings first seen in the period; those still waiting are censored.",
                all.flatMap { metrics in
                    quantiles.map {
                        (
                            [("group", metrics.group), ("estimate", $0.0)],
                            metrics[keyPath: estimate][keyPath: $0.1].map { $0 * 86_400 }
                        )
                    }
                })
        }
        family(
            "custody_sla_compliance_ratio", "Share of the findings fixed in the period that met their due date.",
            all.map { ([("group", $0.group)], $0.slaCompliance) })
        family(
            "custody_open_past_due_findings", "Open findings past their due date at the end of the period.",
            all.map { ([("group", $0.group)], Double($0.openPastDue)) })
        family(
            "custody_reopened_findings", "Times findings were seen again after a fix in the period.",
            all.map { ([("group", $0.group)], Double($0.reopened)) })
        family(
            "custody_introduced_findings", "Findings first seen in the period that git attributed to a commit.",
            all.flatMap { metrics in
                metrics.introducedByRelease.sorted { $0.key < $1.key }.map {
                    ([("group", metrics.group), ("release", $0.key)], Double($0.value))
                }
            })
        family(
            "custody_fixes_by_owning_team_ratio", "Share of the period's proved fixes credited to the owning team.",
            all.map { ([("group", $0.group)], $0.fixesBy.owningShare) })
        family(
            "custody_gate_blocked_decisions", "Release gate decisions in the period that blocked the group's teams.",
            all.map { ([("group", $0.group)], Double($0.gateBlocked)) })
        if let gap = report.unowned {
            family("custody_unowned_open_findings", "Open findings no team owns.", [([], Double(gap.open))])
            family("custody_unowned_share_ratio", "Share of open findings no team owns.", [([], gap.share)])
        }
        var text = ""
        for family in families {
            text += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) gauge\n"
            for sample in family.samples {
                let labels = (sample.labels + [("scope", report.scope)]).map {
                    "\($0.0)=\"\(prometheusEscaped($0.1))\""
                }
                text += "\(family.name){\(labels.joined(separator: ","))} \(sample.value)\n"
            }
        }
        return text
    }

    /// A label value with `\`, `"` and line feeds escaped, as the exposition format requires.
    static func prometheusEscaped(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

extension Wire {
    /// A release gate's decision: its outcome, reasons and the facts behind them.
    public static func gateDecision(_ decision: GateDecision) -> JSONText.Value {
        .object([
            ("outcome", .string(decision.outcome.rawValue)), ("reasons", .strings(decision.reasons)),
            ("event", .optional(decision.event)),
            (
                "new_findings",
                .array(
                    decision.facts.newFindings.map {
                        .object([
                            ("id", .int($0.id)), ("severity", .string($0.severity.rawValue)),
                            ("team", .optional($0.team)),
                            ("rule", .string($0.rule)), ("path", .optional($0.path)),
                        ])
                    })
            ),
            (
                "overdue_by_team",
                .object(decision.facts.overdueByTeam.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) })
            ),
            ("unowned", .int(Int64(decision.facts.unowned))),
        ])
    }
}
