import Foundation

/// Phase timings on standard error when CUSTODY_PROFILE is set, for finding where time goes.
final class Profile {
    private let enabled = ProcessInfo.processInfo.environment["CUSTODY_PROFILE"] != nil
    private var last = DispatchTime.now().uptimeNanoseconds

    func mark(_ phase: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        FileHandle.standardError.write(
            String(format: "profile: %-40@ %.3f s\n", phase, Double(now - last) / 1e9).data(using: .utf8)!)
        last = now
    }
}
