import CustodyCore
import CustodyMetrics
import Foundation

/// How the reports write numbers: shares as percentages, durations in days, "-" for none.
public enum Format {
    public static func percent(_ share: Double?) -> String { share.map { String(format: "%.0f%%", $0 * 100) } ?? "-" }
    public static func days(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "-" }
    public static func date(_ time: Date) -> String { String(Timestamp.string(time).prefix(10)) }
    public static func date(seconds: Double) -> String { date(Date(timeIntervalSince1970: seconds)) }

    /// A median in days, or why there is none: fewer than half had finished by the end.
    public static func median(_ survival: Survival, finished: String) -> String {
        if let median = survival.medianDays { return days(median) + " days" }
        if survival.observed + survival.censored == 0 { return "none in the period" }
        return "not reached (fewer than half \(finished) by the end of the period)"
    }

    /// The day the period's last daily figure ends on.
    public static func lastDay(_ metrics: GroupMetrics) -> String {
        date(seconds: metrics.since + Double(max(metrics.dailyOpen.count, 1)) * MetricsBuilder.day)
    }

    /// A survival curve's steps for ``SVG/stepCurves(_:days:title:width:height:)``.
    public static func steps(_ survival: Survival) -> [(days: Double, survival: Double)] {
        survival.curve.map { ($0.days, $0.survival) }
    }

    /// Open critical and high findings: the risk a board reads first.
    public static func serious(_ metrics: GroupMetrics) -> Int {
        (metrics.openBySeverity[.critical] ?? 0) + (metrics.openBySeverity[.high] ?? 0)
    }

    /// "up 12% from 340" / "down 3% from 40" / "unchanged".
    public static func change(from start: Int, to end: Int) -> String {
        guard start != end else { return "unchanged" }
        guard start > 0 else { return "up from none" }
        let change = Double(end - start) / Double(start)
        return String(format: "%@ %.0f%% from %d", change > 0 ? "up" : "down", abs(change) * 100, start)
    }
}
