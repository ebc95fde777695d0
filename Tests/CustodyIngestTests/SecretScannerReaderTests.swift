import CustodyCore
import CustodyIngest
import CustodyTestSupport
import Foundation
import Testing

/// Gitleaks and TruffleHog reports from the corpora (code/gitleaks, code/trufflehog-v3): a leak
/// per (rule, file, secret), the secret itself never kept. Counts cross-checked with an
/// independent reading (Python's json) and against DefectDojo's.
@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct SecretScannerCorpusTests {
    static let script = """
        import json, sys
        text = open(sys.argv[1]).read()
        try:
            records = json.loads(text) or []
        except json.JSONDecodeError:
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
        keys, secrets = set(), set()
        for r in records:
            if 'DetectorName' in r:
                data = list(r['SourceMetadata']['Data'].values())[0]
                key = (r['DetectorName'], data.get('file'), r.get('RawV2') or r['Raw'])
            elif 'RuleID' in r:
                key = (r['RuleID'], r['File'].lstrip('/'), r['Secret'])
            else:
                key = (r['rule'], r['file'].lstrip('/'), r['offender'])
            keys.add(key)
            secrets.add(key[2])
        print(len(keys))
        for secret in secrets:
            print(secret.encode().hex())
        """

    @Test(arguments: [
        ("gitleaks/defectdojo-no_findings.json", ReportFormat.gitleaks, 0),
        ("gitleaks/defectdojo-gitleaks8_many.json", .gitleaks, 3),
        ("gitleaks/defectdojo-version_7.5.0.json", .gitleaks, 4),
        ("trufflehog-v3/defectdojo-v3_git.json", .trufflehog, 3),
        ("trufflehog-v3/defectdojo-v3_github.json", .trufflehog, 3),
    ])
    func everyLeakIsOneFindingAndItsSecretIsNotKept(_ file: String, _ format: ReportFormat, _ defectDojo: Int) throws {
        let path = Corpora.path("code/" + file)
        let (detected, findings) = try readFindings(path)
        #expect(detected == format)
        let run = try output(of: "/usr/bin/env", ["python3", "-c", Self.script, path])
        let lines = run.text.split(separator: "\n").map(String.init)
        #expect(findings.count == Int(lines.first ?? ""), "a finding per (rule, file, secret)")
        #expect(findings.count == defectDojo, "as DefectDojo counts them")
        // No secret in anything a finding keeps.
        let secrets = lines.dropFirst().compactMap { hex -> String? in
            var bytes: [UInt8] = []
            var index = hex.startIndex
            while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
                bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
                index = next
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        for finding in findings {
            let kept =
                [finding.message, finding.snippet ?? "", finding.ruleName ?? ""] + finding.toolFingerprints.values
            for secret in secrets where secret.count >= 8 {
                #expect(!kept.contains { $0.contains(secret) }, "\(finding.ruleID) keeps its secret")
            }
            #expect(finding.cwes == ["CWE-798"])
            #expect(finding.path != nil)
        }
    }

    @Test func aVerifiedSecretIsCriticalAndAPathIsRepositoryRelative() throws {
        let truffle = try readFindings(Corpora.path("code/trufflehog-v3/defectdojo-v3_git.json")).findings
        #expect(truffle.allSatisfy { $0.severity == .critical && $0.path == "keys" })
        #expect(Set(truffle.map(\.ruleID)) == ["AWS", "URI", "PrivateKey"])
        let gitleaks = try readFindings(Corpora.path("code/gitleaks/defectdojo-gitleaks8_many.json")).findings
        let aws = try #require(gitleaks.first { $0.ruleID == "aws-access-token" })
        #expect(aws.path == "conf/aws.tf")
        #expect(aws.line == 2)
        #expect(aws.severity == .high)
        #expect(aws.message == "AWS found in conf/aws.tf")
    }
}

/// detect-secrets baselines from the corpora (code/detect-secrets): a secret per entry, by its
/// baseline's SHA-1 only.
@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct DetectSecretsCorpusTests {
    @Test(arguments: [("defectdojo-no_findings.json", 0), ("defectdojo-many_findings.json", 4)])
    func everyBaselineEntryIsASecret(_ name: String, _ defectDojo: Int) throws {
        let path = Corpora.path("code/detect-secrets/" + name)
        let (format, findings) = try readFindings(path)
        #expect(format == .detectSecrets)
        let script = """
            import json, sys
            results = json.load(open(sys.argv[1]))['results']
            print(len({(e['type'], e['filename'], e['hashed_secret']) for entries in results.values() for e in entries}))
            """
        let run = try output(of: "/usr/bin/env", ["python3", "-c", script, path])
        #expect(findings.count == Int(run.text.trimmingCharacters(in: .whitespacesAndNewlines)), "\(run.text)")
        #expect(findings.count == defectDojo)
        #expect(findings.allSatisfy { $0.severity == .high && $0.cwes == ["CWE-798"] && $0.line != nil })
        #expect(defectDojo == 0 || findings.contains { $0.path == "modules_images" }, "a file without an extension")
    }
}
