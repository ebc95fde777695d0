import CustodyCore
import CustodyIngest
import CustodyJSON
import CustodyOwnership
import CustodyStore
import Foundation

// custody-bench codeowners CODEOWNERS PATHS: CODEOWNERS resolution throughput, in process.

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let arguments = CommandLine.arguments
if arguments.count == 4, arguments[1] == "ledger", let count = Int(arguments[3]) {
    // custody-bench ledger DB N: append N events (one link each), then time a full verify.
    let store = try SQLStore(path: arguments[2])
    let append = try seconds2 {
        var done = 0
        while done < count {
            let chunk = min(100_000, count - done)
            try store.appendEvents(
                (0..<chunk).map { (.findingAcknowledged, nil, "bench", .object([("n", .int(Int64(done + $0)))])) })
            done += chunk
        }
    }
    var report: Ledger.Report?
    let verify = try seconds2 { report = try store.verifyLedger() }
    let total = report?.count ?? 0
    print(
        String(
            format: "ledger append           %d events in %.2f s, %.0f events/s", count, append, Double(count) / append)
    )
    print(
        String(
            format: "ledger verify           %d events in %.2f s, %.0f events/s (target 500,000/s: %.2fx)",
            total, verify, Double(total) / verify, Double(total) / verify / 500_000))
    print("verify result           \(report?.broken == nil ? "OK" : "BROKEN"), head \(report?.head.prefix(16) ?? "")")
    exit(0)
}
if arguments.count >= 4, arguments[1] == "history", let findings = Int(arguments[3]) {
    // custody-bench history DB FINDINGS [DAYS]: a generated history (bench/history, docs/reports.md).
    let elapsed = try seconds2 {
        try HistoryBench.run(
            path: arguments[2], findings: findings, days: arguments.count > 4 ? Double(arguments[4]) ?? 730 : 730)
    }
    print(String(format: "built in %.1f s", elapsed))
    exit(0)
}
if arguments.count == 4, arguments[1] == "tick", let days = Double(arguments[3]) {
    // custody-bench tick DB DAYS: one escalation pass as if DAYS had passed (findings untouched
    // before it), over every open finding of the store.
    let store = try SQLStore(path: arguments[2])
    let open = try store.counts()["findings"] ?? 0
    var steps = 0
    let elapsed = try seconds2 {
        steps = try store.escalate(now: Date().addingTimeInterval(days * 86_400), actor: "bench")
    }
    print(
        String(
            format: "tick after %3.0f days     %d findings, %d escalation steps in %.2f s (target < 5 s)", days, open,
            steps, elapsed))
    exit(0)
}
if arguments.count == 3, arguments[1] == "spawn" {
    let git = Git(directory: arguments[2])
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<200 { _ = try git.run(["rev-parse", "HEAD"]) }
    print("swift Process", Double(DispatchTime.now().uptimeNanoseconds - start) / 200 / 1e6, "ms")
    exit(0)
}
if arguments.count >= 3, arguments[1] == "formats" {
    try FormatBench.run(directory: arguments[2], megabytes: arguments.count > 3 ? Int(arguments[3]) ?? 110 : 110)
    exit(0)
}

if arguments.count == 5, arguments[1] == "reads", let small = Int(arguments[3]), let large = Int(arguments[4]) {
    try ReadsBench.run(directory: arguments[2], sizes: [small, large])
    exit(0)
}
if arguments.count == 3, arguments[1] == "phases" {
    try phases(report: arguments[2])
    exit(0)
}
guard arguments.count == 4, arguments[1] == "codeowners" else {
    FileHandle.standardError.write("usage: custody-bench codeowners CODEOWNERS PATHS\n".data(using: .utf8)!)
    exit(2)
}
let codeowners = Codeowners(text: try String(contentsOfFile: arguments[2], encoding: .utf8))
let paths = try String(contentsOfFile: arguments[3], encoding: .utf8).split(separator: "\n").map(String.init)
let distinct = Set(paths).count

var owned = 0
let uncached = seconds {
    for path in paths where codeowners.match(path)?.owners.isEmpty == false { owned += 1 }
}
// The pipeline resolves each distinct path once per ingest; this is that, alone.
let resolver = OwnerResolver(
    codeowners: OwnerResolver.Source(rules: codeowners, file: arguments[2]), organisation: Organisation())
var cache: [String: OwnerResolver.Resolution] = [:]
var cachedOwned = 0
let cached = seconds {
    for path in paths {
        let resolution = cache[path] ?? resolver.resolve(path: path, repository: nil)
        cache[path] = resolution
        if !resolution.handles.isEmpty { cachedOwned += 1 }
    }
}
precondition(owned == cachedOwned, "cached and uncached resolution disagree")
print("codeowners rules        \(codeowners.rules.count)")
print("paths                   \(paths.count) (\(distinct) distinct), \(owned) owned")
print(String(format: "uncached                %.0f paths/s (%.3f s)", Double(paths.count) / uncached, uncached))
print(String(format: "cached per path         %.0f paths/s (%.3f s)", Double(paths.count) / cached, cached))
print(String(format: "target 1,000,000/s: uncached ratio %.2fx", Double(paths.count) / uncached / 1_000_000))

/// custody-bench phases REPORT: where ingest time goes before the store (read and walk, fingerprint).
func phases(report: String) throws {
    var count = 0
    let walk = try seconds2 {
        let (source, reader) = try ReportRegistry.open(path: report)
        _ = try reader.read(source) { item in if case .finding = item { count += 1 } }
    }
    var fingerprints = 0
    let identify = try seconds2 {
        let (source, reader) = try ReportRegistry.open(path: report)
        var occurrences = OccurrenceCounter()
        _ = try reader.read(source) { item in
            if case .finding(let finding) = item {
                let fp = Fingerprint.compute(for: finding, repository: "bench")
                if !occurrences.disambiguate(fp.value).isEmpty { fingerprints += 1 }
            }
        }
    }
    let size = Double(try FileManager.default.attributesOfItem(atPath: report)[.size] as! Int) / 1e6
    print(
        String(
            format: "read + walk (SARIF)     %.2f s, %.0f MB/s, %.0f findings/s", walk, size / walk,
            Double(count) / walk))
    print(String(format: "  + fingerprint         %.2f s, %.0f findings/s", identify, Double(fingerprints) / identify))
}

func seconds2(_ body: () throws -> Void) throws -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
