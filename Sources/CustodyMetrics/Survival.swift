/// A Kaplan-Meier estimate of how long findings stay in a state (unowned, unfixed): the share
/// still in it after t days, from observations in which findings that have not left it yet are
/// right-censored (they count as at risk up to the day the period ends, and not as finished).
///
/// Averaging only the findings that finished flatters the slowest teams: a team that fixes three
/// findings in a day and leaves fifty open for a year has a naive mean of one day. The estimate
/// counts the fifty as "still open after a year"; the naive mean is kept beside it, labelled so.
public struct Survival: Sendable, Equatable {
    /// One observation: a duration in days, and whether the finding left the state then
    /// (`finished`) or was still in it when observation stopped (censored).
    public struct Observation: Sendable, Equatable {
        public var days: Double
        public var finished: Bool

        public init(days: Double, finished: Bool) {
            self.days = max(0, days)
            self.finished = finished
        }
    }

    /// A step of the curve: from `days` on, `survival` of the findings are still in the state.
    public struct Step: Sendable, Equatable {
        public var days: Double
        public var survival: Double
    }

    /// The curve, starting at (0, 1), one step at each distinct duration at which some finished.
    public private(set) var curve: [Step]
    /// Observations that finished, and those censored.
    public private(set) var observed: Int
    public private(set) var censored: Int
    /// The mean duration of the finished observations alone: biased low when many are censored.
    public private(set) var naiveMeanDays: Double?

    /// The product-limit estimate: at each distinct time t at which d findings finished, of n
    /// still at risk (duration >= t, censored ones included at their own time), the survival is
    /// multiplied by (1 - d / n). Ties: censorings at t are at risk at t (the usual convention,
    /// and lifelines').
    public init(_ observations: [Observation]) {
        let sorted = observations.sorted { $0.days < $1.days }
        var atRisk = sorted.count
        var survival = 1.0
        var curve = [Step(days: 0, survival: 1)]
        var observed = 0
        var total = 0.0
        var index = 0
        while index < sorted.count {
            let time = sorted[index].days
            var finished = 0
            var leaving = 0
            while index < sorted.count && sorted[index].days == time {
                if sorted[index].finished { finished += 1 }
                leaving += 1
                index += 1
            }
            if finished > 0 {
                survival *= 1 - Double(finished) / Double(atRisk)
                if time == 0 {
                    curve[0].survival = survival
                } else {
                    curve.append(Step(days: time, survival: survival))
                }
                observed += finished
                total += time * Double(finished)
            }
            atRisk -= leaving
        }
        self.curve = curve
        self.observed = observed
        self.censored = sorted.count - observed
        self.naiveMeanDays = observed > 0 ? total / Double(observed) : nil
    }

    /// The first time by which at least `share` of the findings had left the state (the
    /// survival fell to 1 - share or below): 0.5 the median, 0.75 and 0.9 the slow tail. Nil when
    /// the curve never falls that far (too many still open to say).
    public func days(toFinish share: Double) -> Double? {
        let level = 1 - share
        // A tolerance for products of fractions that should be exactly the level.
        return curve.first { $0.survival <= level + 1e-12 }?.days
    }

    public var medianDays: Double? { days(toFinish: 0.5) }
    public var p75Days: Double? { days(toFinish: 0.75) }
    public var p90Days: Double? { days(toFinish: 0.9) }
}
