import Foundation

/// Prints an HTML file to PDF with headless Chromium (Debian's `chromium`), with a profile of its
/// own in a temporary folder. The reports' Content-Security-Policy allows no script and no
/// fetch; Chromium's own switch to turn script off also stops it printing, so it is not used.
public enum PDFPrinter {
    public struct Failure: Error, Sendable {
        public var message: String
    }

    /// The Chromium found on the PATH's usual places, or nil.
    public static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    public static func print(html: String, to output: String, timeout: TimeInterval = 120) throws(Failure) {
        guard let chromium else {
            throw Failure(message: "PDF needs Chromium (Debian's chromium; scripts/bootstrap installs it)")
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("custody-pdf-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: work) }
            let page = work.appendingPathComponent("report.html")
            try html.write(to: page, atomically: true, encoding: .utf8)
            let target = URL(fileURLWithPath: output).standardizedFileURL
            let process = Process()
            process.executableURL = URL(fileURLWithPath: chromium)
            process.arguments = [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions", "--no-first-run",
                "--user-data-dir=\(work.appendingPathComponent("profile").path)",
                "--no-pdf-header-footer", "--print-to-pdf=\(target.path)", page.absoluteString,
            ]
            // To a file, not a pipe: a full pipe would stall Chromium until the timeout.
            let errors = work.appendingPathComponent("chromium.err")
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: errors)
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning {
                process.terminate()
                throw Failure(message: "Chromium did not finish printing within \(Int(timeout)) s")
            }
            let said = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: target.path) else {
                throw Failure(
                    message: "Chromium failed (exit \(process.terminationStatus)): \(said.suffix(400))")
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(message: "\(output): \(error.localizedDescription)")
        }
    }
}
