import CustodyCore
import CustodyIngest
import Foundation

/// custody-bench formats DIR [MB]: writes a report of about MB megabytes (default 110) in each
/// JSON format Custody reads, then times reading each (steps 1-2 without the store): MB/s and
/// findings/s against the 100 MB/s target. Inputs are generated here, at run time.
enum FormatBench {
    /// One element of each format's big array, numbered: realistic field sets and sizes.
    static func element(_ format: ReportFormat, _ i: Int) -> String {
        let cve = "CVE-20\(20 + i % 5)-\(10_000 + i % 90_000)"
        let text =
            "A crafted request lets a remote attacker read memory beyond the buffer (\(i)); upgrade to the fixed version or disable the feature."
        switch format {
        case .trivy:
            return
                #"{"VulnerabilityID":"\#(cve)","PkgID":"pkg\#(i % 5000)@1.\#(i % 40).0","PkgName":"pkg\#(i % 5000)","PkgIdentifier":{"PURL":"pkg:npm/pkg\#(i % 5000)@1.\#(i % 40).0","UID":"\#(String(i, radix: 16))"},"InstalledVersion":"1.\#(i % 40).0","FixedVersion":"1.\#(i % 40 + 1).0","Status":"fixed","SeveritySource":"ghsa","PrimaryURL":"https://avd.aquasec.com/nvd/\#(cve.lowercased())","Title":"pkg\#(i % 5000): memory disclosure","Description":"\#(text)","Severity":"HIGH","CweIDs":["CWE-125"],"CVSS":{"nvd":{"V3Vector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N","V3Score":7.5}},"References":["https://nvd.nist.gov/vuln/detail/\#(cve)","https://github.com/advisories/GHSA-\#(i % 9000)"],"PublishedDate":"2024-01-02T00:00:00Z"}"#
        case .grype:
            return
                #"{"vulnerability":{"id":"\#(cve)","dataSource":"https://nvd.nist.gov/vuln/detail/\#(cve)","severity":"High","urls":["https://nvd.nist.gov/vuln/detail/\#(cve)"],"description":"\#(text)","cvss":[{"source":"nvd","type":"Primary","version":"3.1","vector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N","metrics":{"baseScore":7.5}}],"fix":{"versions":["1.\#(i % 40 + 1).0"],"state":"fixed"}},"relatedVulnerabilities":[{"id":"GHSA-\#(i % 9000)-aaaa-bbbb"}],"matchDetails":[{"type":"exact-direct-match","matcher":"javascript-matcher","searchedBy":{"language":"javascript"},"found":{"versionConstraint":"< 1.\#(i % 40 + 1).0"}}],"artifact":{"id":"\#(String(i, radix: 16))","name":"pkg\#(i % 5000)","version":"1.\#(i % 40).0","type":"npm","locations":[{"path":"/app/package-lock.json"}],"language":"javascript","licenses":["MIT"],"purl":"pkg:npm/pkg\#(i % 5000)@1.\#(i % 40).0"}}"#
        case .osv:
            return
                #"{"package":{"name":"pkg\#(i)","version":"1.\#(i % 40).0","ecosystem":"npm"},"vulnerabilities":[{"modified":"2024-01-01T00:00:00Z","published":"2023-06-01T00:00:00Z","schema_version":"1.6.0","id":"GHSA-\#(i % 9000)-aaaa-bbbb","aliases":["\#(cve)"],"summary":"memory disclosure in pkg\#(i)","details":"\#(text)","affected":[{"package":{"ecosystem":"npm","name":"pkg\#(i)","purl":"pkg:npm/pkg\#(i)"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.\#(i % 40 + 1).0"}]}]}],"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}]}],"groups":[{"ids":["GHSA-\#(i % 9000)-aaaa-bbbb"],"aliases":["\#(cve)"],"max_severity":"7.5"}]}"#
        case .cyclonedx:
            return
                #"{"bom-ref":"v\#(i)","id":"\#(cve)","source":{"name":"NVD","url":"https://nvd.nist.gov/vuln/detail/\#(cve)"},"ratings":[{"source":{"name":"NVD"},"score":7.5,"severity":"high","method":"CVSSv31","vector":"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}],"cwes":[125],"description":"\#(text)","advisories":[{"url":"https://github.com/advisories/GHSA-\#(i % 9000)"}],"published":"2023-06-01T00:00:00Z","affects":[{"ref":"c\#(i % 5000)"}],"analysis":{"state":"in_triage"}}"#
        case .semgrep:
            return
                #"{"check_id":"python.lang.security.audit.rule\#(i % 300)","path":"services/svc\#(i % 200)/module\#(i % 50)/file\#(i % 20).py","start":{"line":\#(i % 400 + 1),"col":5,"offset":\#(i * 37)},"end":{"line":\#(i % 400 + 1),"col":60,"offset":\#(i * 37 + 55)},"extra":{"message":"\#(text)","metadata":{"cwe":["CWE-89: Improper Neutralization of Special Elements used in an SQL Command"],"owasp":["A03:2021 - Injection"],"confidence":"HIGH","references":["https://owasp.org/Top10/A03_2021-Injection"]},"severity":"ERROR","fingerprint":"requires login","lines":"    cursor.execute(\"SELECT * FROM t WHERE id=\" + ident\#(i))","validation_state":"NO_VALIDATOR","engine_kind":"OSS"}}"#
        case .bandit:
            return
                #"{"code":"\#(i % 400 + 1) subprocess.call(cmd\#(i), shell=True)\n","col_offset":4,"end_col_offset":40,"filename":"services/svc\#(i % 200)/module\#(i % 50)/file\#(i % 20).py","issue_confidence":"HIGH","issue_cwe":{"id":78,"link":"https://cwe.mitre.org/data/definitions/78.html"},"issue_severity":"HIGH","issue_text":"\#(text)","line_number":\#(i % 400 + 1),"line_range":[\#(i % 400 + 1)],"more_info":"https://bandit.readthedocs.io/en/1.9.4/plugins/b602_subprocess_popen_with_shell_equals_true.html","test_id":"B602","test_name":"subprocess_popen_with_shell_equals_true"}"#
        case .gitlab:
            return
                #"{"id":"\#(String(i, radix: 16))","category":"dependency_scanning","name":"Memory disclosure in pkg\#(i % 5000)","message":"Memory disclosure in pkg\#(i % 5000)","description":"\#(text)","cve":"yarn.lock:pkg\#(i % 5000):\#(cve)","severity":"High","solution":"Upgrade to version 1.\#(i % 40 + 1).0 or above.","scanner":{"id":"gemnasium","name":"Gemnasium"},"location":{"file":"app\#(i % 100)/yarn.lock","dependency":{"package":{"name":"pkg\#(i % 5000)"},"version":"1.\#(i % 40).0"}},"identifiers":[{"type":"gemnasium","name":"Gemnasium-\#(i)","value":"\#(i)"},{"type":"cve","name":"\#(cve)","value":"\#(cve)"},{"type":"cwe","name":"CWE-125","value":"125"}],"links":[{"url":"https://nvd.nist.gov/vuln/detail/\#(cve)"}]}"#
        case .generic:
            return
                #"{"id":"PT-\#(i)","title":"IDOR on /api/resource\#(i % 1000)/{id}","severity":"high","description":"\#(text)","path":"services/svc\#(i % 200)/api\#(i % 50).py","line":\#(i % 400 + 1),"cwe":["CWE-639"],"asset":"app\#(i % 100).example.gov","cvss":"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N"}"#
        case .nuclei:
            return
                #"{"template":"http/vulnerabilities/t\#(i % 300).yaml","template-id":"t\#(i % 300)","info":{"name":"Reflected XSS in module \#(i % 300)","author":["pdteam"],"tags":["xss","cve"],"description":"\#(text)","severity":"high","classification":{"cve-id":["\#(cve.lowercased())"],"cwe-id":["cwe-79"],"cvss-metrics":"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N","cvss-score":6.1}},"type":"http","host":"https://app\#(i % 100).example.gov","matched-at":"https://app\#(i % 100).example.gov/page\#(i)?q=\#(i % 7)","ip":"10.0.\#(i % 250).\#(i % 200)","timestamp":"2026-11-24T03:00:00.123456Z","matcher-status":true}"#
        case .gitleaks:
            return
                #"{"Description":"AWS Access Key","StartLine":\#(i % 400 + 1),"EndLine":\#(i % 400 + 1),"StartColumn":12,"EndColumn":32,"Match":"aws_key = AKIA\#(String(1_000_000_000 + i))XYZW","Secret":"AKIA\#(String(1_000_000_000 + i))XYZW","File":"services/svc\#(i % 200)/config\#(i % 20).py","SymlinkFile":"","Commit":"\#(String(repeating: String(i % 10), count: 40))","Entropy":3.52,"Author":"Dev \#(i % 50)","Email":"dev\#(i % 50)@example.gov","Date":"2026-10-01T12:00:00Z","Message":"\#(text)","Tags":[],"RuleID":"aws-access-token","Fingerprint":"\#(i)"}"#
        case .trufflehog:
            return
                #"{"SourceMetadata":{"Data":{"Git":{"commit":"\#(String(repeating: String(i % 10), count: 40))","file":"services/svc\#(i % 200)/config\#(i % 20).py","email":"Dev <dev\#(i % 50)@example.gov>","repository":"https://git.example.gov/app\#(i % 30).git","timestamp":"2026-10-01 12:00:00 +0000","line":\#(i % 400 + 1)}}},"SourceID":1,"SourceType":16,"SourceName":"trufflehog - git","DetectorType":2,"DetectorName":"AWS","DecoderName":"PLAIN","Verified":false,"Raw":"AKIA\#(String(1_000_000_000 + i))XYZW","RawV2":"AKIA\#(String(1_000_000_000 + i))XYZWsecret\#(i)","Redacted":"AKIA\#(String(1_000_000_000 + i))","ExtraData":{"account":"1234567890","message":"\#(text)"},"StructuredData":null}"#
        case .checkov:
            return
                #"{"check_id":"CKV_AWS_\#(i % 300)","bc_check_id":"BC_AWS_\#(i % 300)","check_name":"Ensure the resource is encrypted at rest (\#(i % 300))","check_result":{"result":"FAILED","evaluated_keys":["server_side_encryption_configuration"]},"code_block":[[1,"resource \"aws_s3_bucket\" \"b\#(i)\" {"],[2,"  bucket = \"b\#(i)\""],[3,"}"]],"file_path":"/aws/module\#(i % 200).tf","file_abs_path":"/src/infra/aws/module\#(i % 200).tf","repo_file_path":"/infra/aws/module\#(i % 200).tf","file_line_range":[\#(i % 400 + 1),\#(i % 400 + 3)],"resource":"aws_s3_bucket.b\#(i)","evaluations":null,"check_class":"checkov.terraform.checks.resource.aws.S3Encryption","severity":"HIGH","guideline":"https://docs.prismacloud.io/en/policy/\#(i % 300)","description":"\#(text)"}"#
        case .asff:
            return
                #"{"SchemaVersion":"2018-10-08","Id":"arn:aws:inspector2:eu-west-1:1234567890\#(10 + i % 90):finding/\#(String(i, radix: 16))","ProductArn":"arn:aws:securityhub:eu-west-1::product/aws/inspector","ProductName":"Inspector","CompanyName":"Amazon","Region":"eu-west-1","GeneratorId":"AWSInspector","AwsAccountId":"1234567890\#(10 + i % 90)","Types":["Software and Configuration Checks/Vulnerabilities/CVE"],"FirstObservedAt":"2026-10-01T00:00:00Z","LastObservedAt":"2026-11-24T00:00:00Z","CreatedAt":"2026-10-01T00:00:00Z","UpdatedAt":"2026-11-24T00:00:00Z","Severity":{"Label":"HIGH","Normalized":70},"Title":"\#(cve) - pkg\#(i % 5000)","Description":"\#(text)","Resources":[{"Type":"AwsEc2Instance","Id":"arn:aws:ec2:eu-west-1:1234567890\#(10 + i % 90):instance/i-\#(String(i, radix: 16))","Partition":"aws","Region":"eu-west-1","Tags":{"team":"team\#(i % 300)","Name":"web\#(i)"}}],"Vulnerabilities":[{"Id":"\#(cve)","VulnerablePackages":[{"Name":"pkg\#(i % 5000)","Version":"1.\#(i % 40).0","FixedInVersion":"1.\#(i % 40 + 1).0"}],"Cvss":[{"Version":"3.1","BaseScore":7.5,"BaseVector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}]}],"RecordState":"ACTIVE","Workflow":{"Status":"NEW"}}"#
        case .sarif, .spdx, .nessus, .tenableCSV, .zap, .openvas, .nmap, .prowler, .hadolint, .tfsec, .detectSecrets,
            .burp, .openvasCSV,
            .kubeBench:
            return ""  // SARIF has its own generator and figures; SPDX carries no findings; the rest are XML or CSV
        }
    }

    /// The whole document: `count` elements in the format's big array.
    static func write(_ format: ReportFormat, count: Int, to path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        func put(_ text: String) throws { try handle.write(contentsOf: Data(text.utf8)) }
        func elements(_ range: Range<Int>, separator: String = ",") throws {
            var chunk = ""
            for i in range {
                if i > range.lowerBound { chunk += separator }
                chunk += element(format, i)
                if chunk.utf8.count > 1 << 20 {
                    try put(chunk)
                    chunk = ""
                }
            }
            try put(chunk)
        }
        switch format {
        case .trivy:
            // Results of 500 vulnerabilities each, as one lock file or image layer would have.
            try put(
                #"{"SchemaVersion":2,"CreatedAt":"2026-11-24T00:00:00Z","ArtifactName":"registry.example.gov/app:1.0","ArtifactType":"container_image","Results":["#
            )
            for start in stride(from: 0, to: count, by: 500) {
                if start > 0 { try put(",") }
                try put(
                    #"{"Target":"app\#(start / 500)/package-lock.json","Class":"lang-pkgs","Type":"npm","Vulnerabilities":["#
                )
                try elements(start..<min(start + 500, count))
                try put("]}")
            }
            try put("]}")
        case .grype:
            try put(#"{"matches":["#)
            try elements(0..<count)
            try put(
                #"],"source":{"type":"image","target":{"userInput":"app:1.0"}},"descriptor":{"name":"grype","version":"0.74.0"}}"#
            )
        case .osv:
            try put(#"{"results":[{"source":{"path":"/src/package-lock.json","type":"lockfile"},"packages":["#)
            try elements(0..<count)
            try put("]}]}")
        case .cyclonedx:
            try put(#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":["#)
            for c in 0..<5000 {
                if c > 0 { try put(",") }
                try put(
                    #"{"bom-ref":"c\#(c)","type":"library","name":"pkg\#(c)","version":"1.\#(c % 40).0","purl":"pkg:npm/pkg\#(c)@1.\#(c % 40).0"}"#
                )
            }
            try put(#"],"vulnerabilities":["#)
            try elements(0..<count)
            try put("]}")
        case .semgrep:
            try put(#"{"version":"1.50.0","errors":[],"results":["#)
            try elements(0..<count)
            try put(#"],"paths":{"scanned":[]}}"#)
        case .bandit:
            try put(#"{"errors":[],"generated_at":"2026-11-24T00:00:00Z","metrics":{},"results":["#)
            try elements(0..<count)
            try put("]}")
        case .gitlab:
            try put(
                #"{"version":"15.0.7","scan":{"type":"dependency_scanning","status":"success","scanner":{"id":"gemnasium","name":"Gemnasium","version":"4.1.0"},"analyzer":{"id":"gemnasium","name":"Gemnasium","version":"4.1.0"}},"vulnerabilities":["#
            )
            try elements(0..<count)
            try put("]}")
        case .generic:
            try put(#"{"format":"custody-findings/1","tool":"Pentest","findings":["#)
            try elements(0..<count)
            try put("]}")
        case .nuclei, .trufflehog:
            // JSON Lines: one result a line.
            try elements(0..<count, separator: "\n")
            try put("\n")
        case .gitleaks, .asff:
            try put("[")
            try elements(0..<count)
            try put("]")
        case .checkov:
            try put(#"{"check_type":"terraform","results":{"passed_checks":[],"failed_checks":["#)
            try elements(0..<count)
            try put(#"],"skipped_checks":[],"parsing_errors":[]},"summary":{"checkov_version":"3.2.0"}}"#)
        case .sarif, .spdx, .nessus, .tenableCSV, .zap, .openvas, .nmap, .prowler, .hadolint, .tfsec, .detectSecrets,
            .burp, .openvasCSV,
            .kubeBench:
            break
        }
    }

    static func run(directory: String, megabytes: Int) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        print("format      size      read     MB/s   findings/s   vs 100 MB/s")
        var worst = Double.infinity
        for format in ReportFormat.allCases
        where ![
            .sarif, .spdx, .nessus, .tenableCSV, .zap, .openvas, .nmap, .prowler, .hadolint, .tfsec, .detectSecrets,
            .burp, .openvasCSV,
            .kubeBench,
        ].contains(
            format)
        {
            let count = megabytes * 1_000_000 / element(format, 123_456).utf8.count
            let path =
                directory + "/bench." + format.rawValue
                + ([.nuclei, .trufflehog].contains(format) ? ".jsonl" : ".json")
            try write(format, count: count, to: path)
            let size = Double(try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int) / 1e6
            let (best, findings) = try timeReading(path, expecting: format)
            let rate = size / best
            worst = min(worst, rate)
            print(
                String(
                    format: "%-10@ %6.0f MB  %6.2f s  %6.0f  %11.0f   %.2fx", format.rawValue as NSString, size, best,
                    rate,
                    Double(findings) / best, rate / 100))
            try FileManager.default.removeItem(atPath: path)
        }
        print(
            String(
                format: "slowest format: %.0f MB/s (target >= 100 MB/s: %@)", worst, worst >= 100 ? "met" : "NOT met"))
        try xml(directory: directory, megabytes: megabytes)
    }

    /// The XML figures (issue 16 asks for them, with no target): a `.nessus` export of hosts with
    /// 50 items each and a ZAP report of sites with 20 alerts of 5 instances each, read through
    /// libxml2's tree.
    static func xml(directory: String, megabytes: Int) throws {
        try xmlFigure(
            "nessus XML", .nessus, directory: directory, megabytes: megabytes,
            header: "<?xml version=\"1.0\" ?>\n<NessusClientData_v2><Report name=\"bench\">",
            footer: "</Report></NessusClientData_v2>\n"
        ) { host in
            var chunk =
                "<ReportHost name=\"10.\(host / 65_536 % 256).\(host / 256 % 256).\(host % 256)\"><HostProperties>"
                + "<tag name=\"host-ip\">10.0.\(host / 256 % 256).\(host % 256)</tag>"
                + "<tag name=\"host-fqdn\">host\(host).agency.example.gov</tag></HostProperties>"
            for item in 0..<50 {
                chunk +=
                    "<ReportItem port=\"\(443 + item % 3)\" svc_name=\"www\" protocol=\"tcp\" severity=\"\(item % 5)\" "
                    + "pluginID=\"\(10_000 + item)\" pluginName=\"Plugin \(item) of the bench\" pluginFamily=\"Web Servers\">"
                    + "<description>The remote web server is affected by issue \(item); an attacker can read memory.</description>"
                    + "<synopsis>The remote host is affected by issue \(item).</synopsis><risk_factor>Medium</risk_factor>"
                    + "<cvss3_base_score>6.5</cvss3_base_score><cvss3_vector>CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N</cvss3_vector>"
                    + "<cve>CVE-2024-\(10_000 + item)</cve><plugin_output>Version : 2.4.\(item)</plugin_output></ReportItem>"
            }
            return chunk + "</ReportHost>"
        }
        try xmlFigure(
            "ZAP XML", .zap, directory: directory, megabytes: megabytes,
            header: "<?xml version=\"1.0\"?>\n<OWASPZAPReport programName=\"ZAP\" version=\"2.16.1\">",
            footer: "</OWASPZAPReport>\n"
        ) { site in
            var chunk =
                "<site name=\"https://app\(site).example.gov\" host=\"app\(site).example.gov\" port=\"443\"><alerts>"
            for alert in 0..<20 {
                chunk +=
                    "<alertitem><pluginid>\(10_000 + alert)</pluginid><alertRef>\(10_000 + alert)</alertRef>"
                    + "<alert>Alert \(alert) of the bench</alert><name>Alert \(alert) of the bench</name>"
                    + "<riskcode>\(alert % 4)</riskcode><confidence>2</confidence><riskdesc>Medium (Medium)</riskdesc>"
                    + "<desc>&lt;p&gt;The page is affected by issue \(alert); an attacker can read data.&lt;/p&gt;</desc><instances>"
                for instance in 0..<5 {
                    chunk +=
                        "<instance><uri>https://app\(site).example.gov/page\(instance)?q=\(alert)</uri><method>GET</method>"
                        + "<param>p\(instance)</param><attack></attack><evidence>evidence \(alert)-\(instance)</evidence></instance>"
                }
                chunk +=
                    "</instances><count>5</count><solution>&lt;p&gt;Fix it.&lt;/p&gt;</solution><cweid>79</cweid>"
                    + "<wascid>8</wascid><sourceid>1</sourceid></alertitem>"
            }
            return chunk + "</alerts></site>"
        }
    }

    /// Writes `header`, then `chunk(n)` for n = 0, 1, ... up to `megabytes`, then `footer`, and
    /// prints the best of three readings.
    static func xmlFigure(
        _ label: String, _ format: ReportFormat, directory: String, megabytes: Int, header: String, footer: String,
        chunk: (Int) -> String
    ) throws {
        let path = directory + "/bench." + format.rawValue + ".xml"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.write(contentsOf: Data(header.utf8))
        var written = 0
        var index = 0
        while written < megabytes * 1_000_000 {
            let text = chunk(index)
            try handle.write(contentsOf: Data(text.utf8))
            written += text.utf8.count
            index += 1
        }
        try handle.write(contentsOf: Data(footer.utf8))
        try handle.close()
        let size = Double(written) / 1e6
        let (best, findings) = try timeReading(path, expecting: format)
        print(
            String(
                format: "%-10@ %6.0f MB  %6.2f s  %6.0f  %11.0f   (XML: no target; libxml2's tree)", label as NSString,
                size, best, size / best, Double(findings) / best))
        try FileManager.default.removeItem(atPath: path)
    }

    /// The best of three readings of `path` (detected as `format`): seconds and findings read.
    static func timeReading(_ path: String, expecting format: ReportFormat) throws -> (Double, Int) {
        var best = Double.infinity
        var findings = 0
        for _ in 0..<3 {
            findings = 0
            let time = try seconds2 {
                let (source, reader) = try ReportRegistry.open(path: path)
                precondition(reader.format == format, "detected \(reader.format) for \(format)")
                _ = try reader.read(source) { item in if case .finding = item { findings += 1 } }
            }
            best = min(best, time)
        }
        return (best, findings)
    }
}
