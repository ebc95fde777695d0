import CustodyCore
import CustodySamples
import Foundation

enum SampleCommand {
    static let command = Command(
        path: ["sample"], abstract: "Write sample inputs: the demo organisation, or large benchmark inputs",
        discussion: """
            custody sample demo DIR                      teams file, CODEOWNERS and two weeks of SARIF reports
            custody sample sarif FILE --results N ...    one large SARIF report (benchmarks)
            custody sample codeowners FILE --rules N     a large CODEOWNERS file (benchmarks)
            custody sample paths FILE --count N          repository paths, one per line (benchmarks)
            custody sample teams FILE                    teams claiming the benchmark CODEOWNERS handles
            """,
        options: [
            OptionSpec("results", value: "N", help: "results in the SARIF report (default 1000000)"),
            OptionSpec("paths", value: "N", help: "distinct paths (default 20000)"),
            OptionSpec("rules", value: "N", help: "rules (SARIF, default 100) or CODEOWNERS lines (default 2000)"),
            OptionSpec("count", value: "N", help: "paths to write (default 1000000)"),
            OptionSpec("seed", value: "N", help: "random seed (default 1)"),
        ],
        positionals: [
            PositionalSpec("KIND", help: "demo, sarif, codeowners, paths or teams"),
            PositionalSpec("TARGET", help: "the directory (demo) or file to write"),
        ]
    ) { context in
        let arguments = context.arguments
        let kind = arguments.positionals[0]
        let target = arguments.positionals[1]
        let seed = UInt64(try arguments.integer("seed", range: 0...Int.max) ?? 1)
        switch kind {
        case "demo":
            for file in try DemoSample.write(to: target) { context.console.out("wrote \(file)") }
        case "sarif":
            let results = try arguments.integer("results", range: 0...50_000_000) ?? 1_000_000
            let paths = try arguments.integer("paths", range: 1...10_000_000) ?? 20_000
            let rules = try arguments.integer("rules", range: 1...100_000) ?? 100
            try Samples.writeSARIF(to: target, results: results, paths: paths, rules: rules, seed: seed)
            context.console.out("wrote \(target): \(results) results over \(paths) paths and \(rules) rules")
        case "codeowners":
            let rules = try arguments.integer("rules", range: 1...1_000_000) ?? 2_000
            try Samples.codeowners(rules: rules).write(toFile: target, atomically: true, encoding: .utf8)
            context.console.out("wrote \(target): \(rules) rules")
        case "teams":
            try Samples.teams().write(toFile: target, atomically: true, encoding: .utf8)
            context.console.out("wrote \(target): 151 teams")
        case "paths":
            let count = try arguments.integer("count", range: 1...50_000_000) ?? 1_000_000
            let distinct = try arguments.integer("paths", range: 1...50_000_000) ?? count
            let text = Samples.paths(count: count, distinct: distinct, seed: seed)
            try text.write(toFile: target, atomically: true, encoding: .utf8)
            context.console.out("wrote \(target): \(count) paths")
        default:
            throw UsageError(
                message: "unknown sample kind '\(kind)'; expected demo, sarif, codeowners, paths or teams",
                command: "sample")
        }
        return 0
    }
}
