import CustodyCore
import CustodyOwnership
import Foundation

// custody-bench codeowners CODEOWNERS PATHS: CODEOWNERS resolution throughput, in process.

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let arguments = CommandLine.arguments
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
var resolver = CachingOwnerResolver(OwnerResolver(codeowners: codeowners, organisation: Organisation()))
var cachedOwned = 0
let cached = seconds {
    for path in paths where !resolver.resolve(path: path).handles.isEmpty { cachedOwned += 1 }
}
precondition(owned == cachedOwned, "cached and uncached resolution disagree")
print("codeowners rules        \(codeowners.rules.count)")
print("paths                   \(paths.count) (\(distinct) distinct), \(owned) owned")
print(String(format: "uncached                %.0f paths/s (%.3f s)", Double(paths.count) / uncached, uncached))
print(String(format: "cached per path         %.0f paths/s (%.3f s)", Double(paths.count) / cached, cached))
print(String(format: "target 1,000,000/s: uncached ratio %.2fx", Double(paths.count) / uncached / 1_000_000))
