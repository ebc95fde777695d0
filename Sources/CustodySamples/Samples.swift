import CustodyCore
import Foundation

/// Generates sample inputs: the demo organisation, and large reports for benchmarks.
/// Everything is deterministic for a given seed, so runs can be compared.
public enum Samples {
    /// A small deterministic generator (SplitMix64).
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    // MARK: Benchmark inputs

    /// Repository paths spread over services and modules: `services/svc7/src/mod3/file12.py`.
    static func path(_ index: Int) -> String {
        let service = index % 200
        let module = (index / 200) % 10
        let extensions = ["py", "go", "ts", "java", "c"]
        return "services/svc\(service)/src/mod\(module)/file\(index / 2000)_\(index % 7).\(extensions[index % 5])"
    }

    /// A SARIF log of `results` results over `paths` paths and `rules` rules. Half the results
    /// carry CodeQL-style partial fingerprints, half a snippet, as real reports mix them.
    public static func writeSARIF(to file: String, results: Int, paths: Int, rules: Int, seed: UInt64) throws {
        guard FileManager.default.createFile(atPath: file, contents: nil),
            let handle = FileHandle(forWritingAtPath: file)
        else { throw Diagnostic(file: file, message: "cannot create the file") }
        defer { try? handle.close() }
        var random = Random(state: seed)
        var out = ""
        out.reserveCapacity(1 << 21)
        func flush(force: Bool = false) {
            if force || out.utf8.count > 1 << 20 {
                handle.write(Data(out.utf8))
                out.removeAll(keepingCapacity: true)
            }
        }
        out +=
            #"{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{"tool":{"driver":{"name":"BenchScanner","version":"1.0.0","rules":["#
        let levels = ["error", "warning", "note"]
        for rule in 0..<rules {
            if rule > 0 { out += "," }
            let severity = String(format: "%.1f", Double(rule % 100) / 10.0 + 0.1)
            out +=
                #"{"id":"BENCH\#(rule)","name":"BenchRule\#(rule)","shortDescription":{"text":"Benchmark rule \#(rule)"},"defaultConfiguration":{"level":"\#(levels[rule % 3])"},"properties":{"security-severity":"\#(severity)","tags":["security","external/cwe/cwe-\#(rule % 900 + 20)"]}}"#
        }
        out += #"]}},"originalUriBaseIds":{"%SRCROOT%":{"uri":"file:///home/runner/work/app/"}},"results":["#
        for index in 0..<results {
            if index > 0 { out += "," }
            let rule = random.below(rules)
            let pathIndex = random.below(paths)
            let line = random.below(2000) + 1
            out +=
                #"{"ruleId":"BENCH\#(rule)","ruleIndex":\#(rule),"message":{"text":"Possible issue \#(index) found by rule \#(rule)"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"\#(path(pathIndex))","uriBaseId":"%SRCROOT%"},"region":{"startLine":\#(line),"startColumn":\#(random.below(80) + 1)"#
            if index % 2 == 0 {
                out += #","snippet":{"text":"value_\#(index) = call(arg_\#(rule), \#(line))"}}}}]}"#
            } else {
                out +=
                    #"}}}],"partialFingerprints":{"primaryLocationLineHash":"\#(String(random.next(), radix: 16)):\#(index % 3 + 1)"}}"#
            }
            flush()
        }
        out += "]}]}\n"
        flush(force: true)
    }

    /// A CODEOWNERS file of `rules` rules in the shapes real files use: a default owner,
    /// per-service and per-module directories, extensions and floating directory names.
    public static func codeowners(rules: Int) -> String {
        var lines = ["# generated CODEOWNERS", "* @bench/platform"]
        var index = 0
        while lines.count - 1 < rules {
            switch index % 10 {
            case 0: lines.append("/services/svc\(index % 200)/ @bench/team\(index % 150)")
            case 1: lines.append("*.\(["md", "yml", "json", "lock"][index % 4]) @bench/docs\(index % 7)")
            case 2: lines.append("**/test\(index % 50)/ @bench/qa\(index % 9)")
            case 3: lines.append("/services/svc\(index % 200)/src/mod\(index % 10)/*.py @bench/py\(index % 30)")
            case 4: lines.append("docs/** @bench/docs")
            default:
                lines.append(
                    "/services/svc\(index % 200)/src/mod\(index % 10)/ @bench/team\(index % 150) user\(index)@example.com"
                )
            }
            index += 1
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Teams that claim the handles of ``codeowners(rules:)``, so benchmark findings get owners.
    public static func teams() -> String {
        var text = "units:\n  - id: bench\n    name: Benchmark Agency\nteams:\n"
        for index in 0..<150 {
            text += "  - id: team\(index)\n    unit: bench\n    handles: [\"@bench/team\(index)\"]\n"
        }
        text += "  - id: platform\n    unit: bench\n    handles: [\"@bench/platform\"]\n"
        return text
    }

    /// `count` repository paths, one per line, drawn from `distinct` paths.
    public static func paths(count: Int, distinct: Int, seed: UInt64) -> String {
        var random = Random(state: seed)
        var text = ""
        for _ in 0..<count { text += path(random.below(distinct)) + "\n" }
        return text
    }
}
