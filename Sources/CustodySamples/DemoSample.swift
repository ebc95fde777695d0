import CustodyCore
import CustodyOwnership
import Foundation

/// The demo organisation: a state with two agencies, six teams, one repository with a
/// CODEOWNERS file, and two weeks of Semgrep and CodeQL reports against it.
public enum DemoSample {
    static let teams = """
        # Who is who: org units nest (state -> agency -> department), teams sit in units.
        units:
          - id: state
            name: State of Example
            head: governor-cio@example.gov
          - id: treasury
            name: Department of the Treasury
            parent: state
            head: dana.reyes@treasury.example.gov
          - id: health
            name: Department of Health
            parent: state
            head: sam.okafor@health.example.gov
          - id: revenue
            name: Revenue Services
            parent: treasury
            head: lee.chen@treasury.example.gov
        teams:
          - id: payments
            name: Payments
            unit: revenue
            lead: bob.marsh@treasury.example.gov
            handles: ["@example-gov/payments", "payments@treasury.example.gov"]
          - id: identity
            name: Identity and Access
            unit: treasury
            lead: ana.silva@treasury.example.gov
            handles: ["@example-gov/identity", "@asilva"]
          - id: web
            name: Citizen Web Portal
            unit: state
            lead: kim.park@example.gov
            handles: ["@example-gov/web"]
          - id: platform
            name: Platform Engineering
            unit: state
            lead: raj.iyer@example.gov
            handles: ["@example-gov/platform"]
          - id: records
            name: Health Records
            unit: health
            lead: mo.haddad@health.example.gov
            handles: ["@example-gov/records"]
          - id: data
            name: Data and Analytics
            unit: health
            lead: jo.novak@health.example.gov
            handles: ["@example-gov/data", "data-team@health.example.gov"]
        # Ownership CODEOWNERS cannot express: whole repositories, hosts, images.
        assets:
          - repository: "claims-*"
            team: data
          - host: "10.40.0.0/16"
            team: platform
          - image: "registry.example.gov/records/*"
            team: records
        """

    static let codeowners = """
        # gov-portal CODEOWNERS: the last matching line wins.
        /services/payments/        @example-gov/payments
        /services/identity/        @example-gov/identity @asilva
        /services/records/         @example-gov/records
        /web/                      @example-gov/web
        /infra/                    @example-gov/platform
        /pipelines/                data-team@health.example.gov
        *.tf                       @example-gov/platform
        # Vendored code: explicitly nobody's (ownership unset), so it shows as unowned.
        /web/vendor/
        # The legacy batch jobs belong to a team that was disbanded: no team claims this handle.
        /legacy/                   @example-gov/batch-jobs
        """

    struct Result {
        var tool: String
        var rule: String
        var path: String
        var line: Int
        var snippet: String
        var message: String
    }

    static let semgrepRules: [(id: String, name: String, severity: String, cwe: String)] = [
        ("python.lang.security.audit.formatted-sql-query", "formatted-sql-query", "HIGH", "CWE-89: SQL Injection"),
        (
            "python.lang.security.audit.subprocess-shell-true", "subprocess-shell-true", "CRITICAL",
            "CWE-78: OS Command Injection"
        ),
        (
            "javascript.browser.security.insecure-document-method", "insecure-document-method", "MEDIUM",
            "CWE-79: Cross-site Scripting"
        ),
        (
            "generic.secrets.security.detected-generic-secret", "detected-generic-secret", "HIGH",
            "CWE-798: Hard-coded Credentials"
        ),
        (
            "terraform.aws.security.aws-s3-bucket-public-read", "aws-s3-bucket-public-read", "MEDIUM",
            "CWE-732: Incorrect Permission Assignment"
        ),
        (
            "python.requests.security.disabled-cert-validation", "disabled-cert-validation", "LOW",
            "CWE-295: Improper Certificate Validation"
        ),
    ]

    static let week1: [Result] = [
        Result(
            tool: "semgrep", rule: "python.lang.security.audit.formatted-sql-query",
            path: "services/payments/ledger/query.py", line: 42,
            snippet: "cursor.execute(f\"SELECT * FROM payments WHERE id = {payment_id}\")",
            message: "SQL built with an f-string"),
        Result(
            tool: "semgrep", rule: "python.lang.security.audit.formatted-sql-query",
            path: "services/payments/refunds/api.py", line: 88,
            snippet: "db.execute(\"DELETE FROM refunds WHERE ref = '%s'\" % ref)",
            message: "SQL built with % formatting"),
        Result(
            tool: "semgrep", rule: "python.lang.security.audit.subprocess-shell-true",
            path: "services/identity/sync/ldap_sync.py", line: 17, snippet: "subprocess.run(cmd, shell=True)",
            message: "subprocess with shell=True"),
        Result(
            tool: "semgrep", rule: "generic.secrets.security.detected-generic-secret",
            path: "services/identity/config/settings.py", line: 9, snippet: "CLIENT_SECRET = \"s3cr3t-value-123\"",
            message: "Hard-coded secret"),
        Result(
            tool: "semgrep", rule: "javascript.browser.security.insecure-document-method",
            path: "web/src/components/Banner.js", line: 23, snippet: "el.innerHTML = props.message",
            message: "innerHTML with user data"),
        Result(
            tool: "semgrep", rule: "javascript.browser.security.insecure-document-method",
            path: "web/vendor/jquery-ui/widget.js", line: 310, snippet: "document.write(markup)",
            message: "document.write in vendored code"),
        Result(
            tool: "semgrep", rule: "terraform.aws.security.aws-s3-bucket-public-read", path: "infra/storage/buckets.tf",
            line: 12, snippet: "acl = \"public-read\"", message: "S3 bucket is publicly readable"),
        Result(
            tool: "semgrep", rule: "python.requests.security.disabled-cert-validation",
            path: "pipelines/etl/fetch_claims.py", line: 31, snippet: "requests.get(url, verify=False)",
            message: "TLS verification disabled"),
        Result(
            tool: "semgrep", rule: "python.lang.security.audit.subprocess-shell-true",
            path: "legacy/batch/nightly_export.py", line: 55, snippet: "os.system(\"gzip \" + filename)",
            message: "shell command built from a file name"),
        Result(
            tool: "semgrep", rule: "python.lang.security.audit.formatted-sql-query",
            path: "services/records/patients/search.py", line: 64,
            snippet: "q = \"SELECT * FROM patients WHERE name LIKE '%\" + term + \"%'\"",
            message: "SQL built by concatenation"),
        Result(
            tool: "semgrep", rule: "generic.secrets.security.detected-generic-secret", path: "tools/dev/seed.py",
            line: 3, snippet: "API_TOKEN = \"tok_live_9f8e7d\"", message: "Hard-coded token in a tool nobody owns"),
    ]

    /// Week 2: two fixes (payments refunds, identity secret), one new finding, the rest seen again.
    static var week2: [Result] {
        var results = week1.filter {
            $0.path != "services/payments/refunds/api.py" && $0.path != "services/identity/config/settings.py"
        }
        results.append(
            Result(
                tool: "semgrep", rule: "python.lang.security.audit.formatted-sql-query",
                path: "services/payments/ledger/export.py", line: 120,
                snippet: "cur.execute(\"COPY (SELECT * FROM %s) TO STDOUT\" % table)",
                message: "SQL built with % formatting"))
        // Lines moved in ledger/query.py: the same finding, so it is seen, not new.
        if let index = results.firstIndex(where: { $0.path == "services/payments/ledger/query.py" }) {
            results[index].line = 47
        }
        return results
    }

    static let codeqlWeek1: [Result] = [
        Result(
            tool: "CodeQL", rule: "py/path-injection", path: "services/records/files/download.py", line: 27,
            snippet: "open(os.path.join(BASE, request.args[\"name\"]))",
            message: "This path depends on a user-provided value."),
        Result(
            tool: "CodeQL", rule: "js/xss", path: "web/src/pages/Search.js", line: 71,
            snippet: "results.innerHTML = query",
            message: "Cross-site scripting vulnerability due to user-provided value."),
        Result(
            tool: "CodeQL", rule: "py/weak-cryptographic-algorithm", path: "services/identity/tokens/sign.py", line: 14,
            snippet: "hashlib.md5(secret + payload)", message: "MD5 is a weak hashing algorithm."),
    ]

    static func semgrepSARIF(_ results: [Result]) -> String {
        let rules: [JSONText.Value] = semgrepRules.map { rule in
            .object([
                ("id", .string(rule.id)), ("name", .string(rule.name)),
                ("shortDescription", .object([("text", .string("Semgrep rule \(rule.name)"))])),
                ("defaultConfiguration", .object([("level", "warning")])),
                (
                    "properties",
                    .object([
                        ("security-severity", .string(rule.severity)), ("tags", .strings(["security", rule.cwe])),
                    ])
                ),
            ])
        }
        return log(
            driver: .object([("name", "Semgrep OSS"), ("semanticVersion", "1.69.0"), ("rules", .array(rules))]),
            results: results.map { result($0, fingerprint: nil) })
    }

    static func codeqlSARIF(_ results: [Result]) -> String {
        let rules: [JSONText.Value] = [
            .object([
                ("id", "py/path-injection"), ("name", "py/path-injection"),
                (
                    "properties",
                    .object([("security-severity", "7.5"), ("tags", .strings(["security", "external/cwe/cwe-022"]))])
                ),
            ]),
            .object([
                ("id", "js/xss"), ("name", "js/xss"),
                (
                    "properties",
                    .object([("security-severity", "6.1"), ("tags", .strings(["security", "external/cwe/cwe-079"]))])
                ),
            ]),
            .object([
                ("id", "py/weak-cryptographic-algorithm"), ("name", "py/weak-cryptographic-algorithm"),
                (
                    "properties",
                    .object([("security-severity", "7.5"), ("tags", .strings(["security", "external/cwe/cwe-327"]))])
                ),
            ]),
        ]
        return log(
            driver: .object([("name", "CodeQL"), ("version", "2.19.0"), ("rules", .array(rules))]),
            results: results.map { result($0, fingerprint: SHA256.hex($0.snippet).prefix(16) + ":1") })
    }

    private static func result(_ r: Result, fingerprint: String?) -> JSONText.Value {
        var members: [(String, JSONText.Value)] = [
            ("ruleId", .string(r.rule)), ("message", .object([("text", .string(r.message))])),
            (
                "locations",
                .array([
                    .object([
                        (
                            "physicalLocation",
                            .object([
                                ("artifactLocation", .object([("uri", .string(r.path)), ("uriBaseId", "%SRCROOT%")])),
                                (
                                    "region",
                                    .object([
                                        ("startLine", .int(Int64(r.line))),
                                        ("snippet", .object([("text", .string(r.snippet))])),
                                    ])
                                ),
                            ])
                        )
                    ])
                ])
            ),
        ]
        if let fingerprint {
            members.append(("partialFingerprints", .object([("primaryLocationLineHash", .string(fingerprint))])))
        }
        return .object(members)
    }

    private static func log(driver: JSONText.Value, results: [JSONText.Value]) -> String {
        JSONText.Value.object([
            ("version", "2.1.0"), ("$schema", "https://json.schemastore.org/sarif-2.1.0.json"),
            ("runs", .array([.object([("tool", .object([("driver", driver)])), ("results", .array(results))])])),
        ]).text + "\n"
    }

    /// Week 2's dependency scans: Trivy and Grype agree on two vulnerabilities (one finding each,
    /// two sources); Trivy alone sees log4shell and PyYAML.
    static let trivy = #"""
        {"SchemaVersion": 2, "CreatedAt": "2026-10-08T10:00:00Z", "ArtifactName": "gov-portal", "ArtifactType": "repository",
         "Trivy": {"Version": "0.57.0"}, "Results": [
          {"Target": "services/payments/requirements.txt", "Class": "lang-pkgs", "Type": "pip", "Vulnerabilities": [
            {"VulnerabilityID": "CVE-2023-31047", "PkgName": "django", "PkgIdentifier": {"PURL": "pkg:pypi/django@4.2.1"},
             "InstalledVersion": "4.2.1", "FixedVersion": "4.2.2", "Severity": "CRITICAL", "CweIDs": ["CWE-20"],
             "Title": "django: Potential bypass of validation when uploading multiple files",
             "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": 9.8}}},
            {"VulnerabilityID": "CVE-2020-14343", "PkgName": "PyYAML", "PkgIdentifier": {"PURL": "pkg:pypi/pyyaml@5.3.1"},
             "InstalledVersion": "5.3.1", "FixedVersion": "5.4", "Severity": "CRITICAL", "CweIDs": ["CWE-20"],
             "Title": "PyYAML: incomplete fix for CVE-2020-1747",
             "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": 9.8}}}]},
          {"Target": "web/package-lock.json", "Class": "lang-pkgs", "Type": "npm", "Vulnerabilities": [
            {"VulnerabilityID": "CVE-2021-23337", "PkgName": "lodash", "PkgIdentifier": {"PURL": "pkg:npm/lodash@4.17.20"},
             "InstalledVersion": "4.17.20", "FixedVersion": "4.17.21", "Severity": "HIGH", "CweIDs": ["CWE-94"],
             "Title": "nodejs-lodash: command injection via template",
             "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", "V3Score": 7.2}}}]},
          {"Target": "services/records/pom.xml", "Class": "lang-pkgs", "Type": "pom", "Vulnerabilities": [
            {"VulnerabilityID": "CVE-2021-44228", "PkgName": "org.apache.logging.log4j:log4j-core",
             "PkgIdentifier": {"PURL": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
             "InstalledVersion": "2.14.1", "FixedVersion": "2.15.0", "Severity": "CRITICAL", "CweIDs": ["CWE-502"],
             "Title": "log4j-core: Remote code execution in Log4j 2.x when logs contain an attacker-controlled string value",
             "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "V3Score": 10}}}]}]}
        """#

    static let grype = #"""
        {"descriptor": {"name": "grype", "version": "0.84.0"}, "source": {"type": "directory", "target": "gov-portal"},
         "matches": [
          {"vulnerability": {"id": "GHSA-35jh-r3h4-6jhm", "severity": "High", "fix": {"versions": ["4.17.21"], "state": "fixed"},
             "cvss": [{"version": "3.1", "vector": "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", "metrics": {"baseScore": 7.2}}]},
           "relatedVulnerabilities": [{"id": "CVE-2021-23337"}],
           "artifact": {"name": "lodash", "version": "4.17.20", "type": "npm", "purl": "pkg:npm/lodash@4.17.20",
                        "locations": [{"path": "/web/package-lock.json"}]}},
          {"vulnerability": {"id": "CVE-2023-31047", "severity": "Critical", "fix": {"versions": ["4.2.2"], "state": "fixed"}},
           "relatedVulnerabilities": [{"id": "GHSA-r3xc-prgr-mg9p"}],
           "artifact": {"name": "Django", "version": "4.2.1", "type": "python", "purl": "pkg:pypi/Django@4.2.1",
                        "locations": [{"path": "/services/payments/requirements.txt"}]}}]}
        """#

    /// An excerpt of CISA's KEV catalog: log4shell, as CISA lists it.
    static let kev = #"""
        {"title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2026.11.20",
         "dateReleased": "2026-11-20T15:00:00.000Z", "count": 1, "vulnerabilities": [
          {"cveID": "CVE-2021-44228", "vendorProject": "Apache", "product": "Log4j2",
           "vulnerabilityName": "Apache Log4j2 Remote Code Execution Vulnerability", "dateAdded": "2021-12-10",
           "shortDescription": "Apache Log4j2 contains a vulnerability where JNDI features do not protect against attacker-controlled JNDI-related endpoints, allowing for remote code execution.",
           "requiredAction": "For all affected software assets for which updates exist, the only acceptable remediation actions are: 1) Apply updates; OR 2) remove affected assets from agency networks.",
           "dueDate": "2021-12-24", "knownRansomwareCampaignUse": "Known", "notes": "", "cwes": ["CWE-917", "CWE-20", "CWE-400", "CWE-502"]}]}
        """#

    /// An EPSS excerpt in FIRST's daily layout (sample scores of the right magnitude).
    static let epss = """
        #model_version:v2025.03.14,score_date:2026-11-23T12:55:00Z
        cve,epss,percentile
        CVE-2021-44228,0.94358,0.99961
        CVE-2021-23337,0.01420,0.79870
        CVE-2023-31047,0.00294,0.69521
        CVE-2020-14343,0.01290,0.78650
        """ + "\n"

    /// Writes the sample into `directory` and returns the files written.
    public static func write(to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let files: [(String, String)] = [
            ("teams.yaml", teams + "\n"), ("CODEOWNERS", codeowners + "\n"),
            ("semgrep-week1.sarif", semgrepSARIF(week1)), ("codeql-week1.sarif", codeqlSARIF(codeqlWeek1)),
            ("semgrep-week2.sarif", semgrepSARIF(week2)), ("codeql-week2.sarif", codeqlSARIF(codeqlWeek1)),
            ("trivy-week2.json", trivy), ("grype-week2.json", grype), ("kev.json", kev), ("epss.csv", epss),
        ]
        var written: [String] = []
        for (name, text) in files {
            let path = directory + "/" + name
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            written.append(path)
        }
        _ = try DemoRepository.write(to: directory + "/gov-portal")
        written.append(directory + "/gov-portal (git: a year of history, branch week1 and main)")
        return written
    }
}
