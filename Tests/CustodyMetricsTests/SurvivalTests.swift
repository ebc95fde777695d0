import CustodyMetrics
import Foundation
import Testing

struct SurvivalTests {
    /// Worked by hand: six findings, fixed after 1, 2, 2 and 5 days, two still open at 3 and 6.
    /// At risk 6 at day 1 (S = 5/6), 5 at day 2 with two fixed (S = 5/6 * 3/5 = 1/2), then the
    /// one censored at 3 leaves, 2 at risk at day 5 (S = 1/2 * 1/2 = 1/4).
    @Test func theProductLimitEstimateOfAWorkedExample() {
        let estimate = Survival(
            [(1, true), (2, true), (2, true), (3, false), (5, true), (6, false)].map {
                Survival.Observation(days: $0.0, finished: $0.1)
            })
        #expect(estimate.curve.map(\.days) == [0, 1, 2, 5])
        #expect(zip(estimate.curve.map(\.survival), [1, 5.0 / 6, 0.5, 0.25]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(estimate.medianDays == 2)
        #expect(estimate.p75Days == 5)
        #expect(estimate.p90Days == nil)  // never falls to 0.1: two are still open
        #expect(estimate.observed == 4 && estimate.censored == 2)
        #expect(estimate.naiveMeanDays == 2.5)  // (1 + 2 + 2 + 5) / 4: blind to the open two
    }

    @Test func anEmptyOrAllOpenCohortHasNoQuantiles() {
        #expect(Survival([]).medianDays == nil)
        let open = Survival([Survival.Observation(days: 40, finished: false)])
        #expect(open.medianDays == nil && open.naiveMeanDays == nil && open.censored == 1)
        #expect(open.curve.map(\.days) == [0] && open.curve.map(\.survival) == [1])
    }

    /// Against lifelines' KaplanMeierFitter on 2,000 generated durations, a third censored, with
    /// ties (durations in whole and half days): every step and the median agree.
    @Test func agreesWithLifelinesOnGeneratedDataWithCensoring() throws {
        guard Self.lifelinesAvailable else {
            print("skipped: lifelines is not installed (scripts/bootstrap installs it)")
            return
        }
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let observations = (0..<2_000).map { _ in
            Survival.Observation(days: Double(next() % 240) / 2, finished: next() % 3 != 0)
        }
        let estimate = Survival(observations)
        let input = observations.map { "\($0.days),\($0.finished ? 1 : 0)" }.joined(separator: "\n")
        let output = try Self.runLifelines(input)
        var steps: [(Double, Double)] = []
        var median: Double?
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts[0] == "median" {
                median = Double(parts[1]).flatMap { $0.isFinite ? $0 : nil }
            } else {
                steps.append((Double(parts[0])!, Double(parts[1])!))
            }
        }
        // lifelines lists every distinct duration (censored ones too); the estimate changes only
        // where some finished, so each of our steps is one of its rows and between them it is flat.
        let theirs = Dictionary(steps, uniquingKeysWith: { first, _ in first })
        for step in estimate.curve {
            let value = try #require(theirs[step.days], "lifelines has no row at \(step.days)")
            #expect(abs(value - step.survival) < 1e-9, "at \(step.days): \(value) vs \(step.survival)")
        }
        for (days, value) in steps {
            let ours = estimate.curve.last { $0.days <= days }!.survival
            #expect(abs(ours - value) < 1e-9, "at \(days)")
        }
        #expect(median == estimate.medianDays)
        #expect(estimate.observed + estimate.censored == 2_000)
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Peers/kaplan_meier.py").standardized.path

    static let lifelinesAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import lifelines"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    static func runLifelines(_ input: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("km-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputFile = directory.appendingPathComponent("in.csv")
        let outputFile = directory.appendingPathComponent("out.txt")
        try input.write(to: inputFile, atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script]
        process.standardInput = try FileHandle(forReadingFrom: inputFile)
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try String(contentsOf: outputFile, encoding: .utf8)
    }
}
