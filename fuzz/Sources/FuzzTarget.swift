import CustodyIngest
import Foundation

// The libFuzzer entry point: built by `make fuzz` with -sanitize=fuzzer,address and
// -D FUZZING; the target is chosen by $CUSTODY_FUZZ_TARGET (sarif, trivy, ..., cvss).
@_cdecl("LLVMFuzzerTestOneInput")
public func custodyFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let target = ProcessInfo.processInfo.environment["CUSTODY_FUZZ_TARGET"] ?? "sarif"
    FuzzHarness.run(Array(UnsafeBufferPointer(start: data, count: size)), target: target)
    return 0
}

#if FUZZING
    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
    ) -> CInt

    /// SwiftPM names an executable's entry point after its target: hand over to libFuzzer's driver.
    @_cdecl("custody_fuzz_main")
    public func fuzzMain(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    ) -> CInt {
        var count = argc
        var arguments = argv
        return runFuzzerDriver(&count, &arguments) { data, size in custodyFuzzOne(data, size) }
    }
#else
    /// Without the fuzzer: replays inputs (`custody-fuzz TARGET FILE...`), as a crash is reproduced.
    @main
    struct FuzzReplay {
        static func main() throws {
            let arguments = CommandLine.arguments.dropFirst()
            guard let target = arguments.first, FuzzHarness.targets.contains(target) else {
                print("usage: custody-fuzz TARGET FILE...  (targets: \(FuzzHarness.targets.joined(separator: " ")))")
                exit(2)
            }
            for file in arguments.dropFirst() {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
                print("\(file): \(FuzzHarness.run(bytes, target: target).map { "read \($0)" } ?? "refused")")
            }
        }
    }
#endif
