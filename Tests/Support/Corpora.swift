import Foundation

/// Locates ../shared/corpora (next to the checkout), the shared public samples tests read.
/// Tests skip, saying so, when it is absent.
public enum Corpora {
    public static let root: String? = {
        if let explicit = ProcessInfo.processInfo.environment["CUSTODY_CORPORA"],
            FileManager.default.fileExists(atPath: explicit)
        {
            return explicit
        }
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = directory.appendingPathComponent("../shared/corpora").standardized.path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }()

    public static var isAvailable: Bool { root != nil }

    public static let skipMessage = "../shared/corpora not found: corpus tests skipped"

    /// The absolute path of `relative` inside the corpora.
    public static func path(_ relative: String) -> String {
        (root ?? "/nonexistent") + "/" + relative
    }

    public static func data(_ relative: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path(relative)))
    }
}

/// A fresh temporary directory, removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init() {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/custody-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        let target = file(name)
        let parent = (target as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try text.write(toFile: target, atomically: true, encoding: .utf8)
        return target
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
