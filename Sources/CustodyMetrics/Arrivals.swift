import CustodyCore
import Foundation

/// Arrivals (found, fixed, seen again after a fix) summed over days, weeks or calendar months
/// from a group's daily series.
public struct Arrivals: Sendable, Equatable {
    public enum Interval: String, Sendable, CaseIterable {
        case day, week, month
    }

    /// One interval: the day it starts (`2026-07-01`) and its counts.
    public struct Bucket: Sendable, Equatable {
        public var start: String
        public var new = 0
        public var fixed = 0
        public var reopened = 0
    }

    /// `metrics`' daily series in buckets: a day each, seven days each from the start of the
    /// period (the last week may be shorter), or a calendar month (UTC) each, cut to the period.
    /// Day i of the period is the day that begins at `since` + i days.
    public static func buckets(_ metrics: GroupMetrics, since: Double, per interval: Interval) -> [Bucket] {
        var buckets: [Bucket] = []
        var currentKey = ""
        for day in metrics.dailyNew.indices {
            let start = Timestamp.string(Date(timeIntervalSince1970: since + Double(day) * MetricsBuilder.day))
            let key: String
            switch interval {
            case .day: key = String(day)
            case .week: key = String(day / 7)
            case .month: key = String(start.prefix(7))
            }
            if key != currentKey || buckets.isEmpty {
                buckets.append(Bucket(start: String(start.prefix(10))))
                currentKey = key
            }
            buckets[buckets.count - 1].new += metrics.dailyNew[day]
            buckets[buckets.count - 1].fixed += metrics.dailyFixed[day]
            buckets[buckets.count - 1].reopened += metrics.dailyReopened[day]
        }
        return buckets
    }
}
