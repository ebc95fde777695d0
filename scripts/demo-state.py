#!/usr/bin/env python3
"""The large demo organisation: a state government of six agencies and 36 teams, REPOS git
repositories with a year of history (CODEOWNERS, a reorganisation, monthly releases), and a
year of monthly Semgrep (SARIF) and Trivy (JSON) reports against them, ready to be ingested in
the order they were scanned.

    scripts/demo-state.py OUT_DIR [REPOS]      (default 24)

Writes OUT_DIR/teams.yaml, OUT_DIR/repos/<name> (git repositories, built with git fast-import),
OUT_DIR/reports/<date>-<repo>-{semgrep.sarif,trivy.json} and OUT_DIR/scans.tsv: one line per
scan, oldest first (date, repository, commit, report files). Deterministic: the same inputs
every run.
"""
import json
import os
import random
import subprocess
import sys

out = sys.argv[1]
repo_count = int(sys.argv[2]) if len(sys.argv) > 2 else 24
rng = random.Random(20261208)
MONTHS = [f"{2025 + (11 + m) // 12}-{(11 + m) % 12 + 1:02d}" for m in range(12)]  # 2025-12 .. 2026-11

AGENCIES = [
    ("treasury", "Department of the Treasury", ["payments", "revenue", "payroll", "procurement", "grants", "audit-tools"]),
    ("health", "Department of Health", ["records", "clinics", "claims", "labs", "public-health", "pharmacy"]),
    ("transport", "Department of Transport", ["licensing", "tolls", "transit", "roads", "fleet", "permits"]),
    ("education", "Department of Education", ["enrolment", "learning", "exams", "teachers", "schools-data", "libraries"]),
    ("justice", "Department of Justice", ["courts", "corrections", "legal-aid", "registry", "victims", "police-data"]),
    ("digital", "Digital Services", ["portal", "identity", "platform", "data", "design-system", "integration"]),
]
FIRST = ["Ana", "Bob", "Kim", "Raj", "Mo", "Jo", "Lee", "Sam", "Ola", "Ravi", "Mia", "Tom", "Uma", "Eli", "Zoe", "Ian"]
LAST = ["Silva", "Marsh", "Park", "Iyer", "Haddad", "Novak", "Chen", "Okafor", "Berg", "Nair", "Costa", "Reyes"]
RULES = [
    ("python.lang.security.audit.formatted-sql-query", "error", "HIGH", "CWE-89: SQL Injection", "py"),
    ("python.lang.security.audit.subprocess-shell-true", "error", "CRITICAL", "CWE-78: OS Command Injection", "py"),
    ("python.lang.security.deserialization.pickle", "warning", "HIGH", "CWE-502: Deserialization of Untrusted Data", "py"),
    ("python.requests.security.disabled-cert-validation", "warning", "MEDIUM", "CWE-295: Improper Certificate Validation", "py"),
    ("javascript.browser.security.insecure-document-method", "warning", "MEDIUM", "CWE-79: Cross-site Scripting", "js"),
    ("javascript.express.security.audit.express-open-redirect", "warning", "MEDIUM", "CWE-601: Open Redirect", "js"),
    ("generic.secrets.security.detected-generic-secret", "error", "HIGH", "CWE-798: Use of Hard-coded Credentials", "py"),
    ("python.flask.security.audit.debug-enabled", "note", "LOW", "CWE-489: Active Debug Code", "py"),
]
PACKAGES = [
    ("django", "4.2.1", "4.2.2", "CVE-2023-31047", "CRITICAL"), ("pyyaml", "5.3.1", "5.4", "CVE-2020-14343", "CRITICAL"),
    ("requests", "2.30.0", "2.31.0", "CVE-2023-32681", "MEDIUM"), ("jinja2", "3.1.2", "3.1.3", "CVE-2024-22195", "MEDIUM"),
    ("urllib3", "1.26.15", "1.26.18", "CVE-2023-45803", "MEDIUM"), ("cryptography", "41.0.3", "41.0.4", "CVE-2023-38325", "HIGH"),
    ("pillow", "9.5.0", "10.0.1", "CVE-2023-4863", "HIGH"), ("werkzeug", "2.3.6", "2.3.8", "CVE-2023-46136", "HIGH"),
    ("sqlparse", "0.4.3", "0.4.4", "CVE-2023-30608", "MEDIUM"), ("certifi", "2022.12.7", "2023.7.22", "CVE-2023-37920", "HIGH"),
]

# The organisation: units, teams with leads and members (their e-mails are the git authors).
teams = {}
lines = ["# The State of Example: six agencies, a division each, 36 teams (scripts/demo-state.py).", "units:",
         "  - {id: state, name: State of Example, head: cio@example.gov}"]
for agency, name, members in AGENCIES:
    lines.append(f"  - {{id: {agency}, name: {name}, parent: state, head: head@{agency}.example.gov}}")
    division = name.replace("Department of the ", "").replace("Department of ", "").replace(" Services", "")
    lines.append(f"  - {{id: {agency}-services, name: {division} Delivery, parent: {agency}, "
                 f"head: services-head@{agency}.example.gov}}")
lines.append("teams:")
for agency, _, names in AGENCIES:
    for index, team in enumerate(names):
        people = [f"{rng.choice(FIRST).lower()}.{rng.choice(LAST).lower()}{i}@{agency}.example.gov" for i in range(3)]
        teams[team] = {"agency": agency, "people": people}
        unit = agency if index < 3 else f"{agency}-services"
        lines.append(f"  - {{id: {team}, name: {team.replace('-', ' ').title()}, unit: {unit}, lead: {people[0]}, "
                     f"handles: [\"@example-gov/{team}\"], members: [{', '.join(people)}]}}")
# Hosts are owned through the inventory: each team's servers are named after it.
lines.append("assets:")
for team, facts in teams.items():
    lines.append(f"  - {{host: \"*.{team}.{facts['agency']}.example.gov\", team: {team}}}")
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "teams.yaml"), "w") as f:
    f.write("\n".join(lines) + "\n")

os.makedirs(os.path.join(out, "repos"), exist_ok=True)
os.makedirs(os.path.join(out, "reports"), exist_ok=True)
scans = []


def stamp(month, day, hour):
    year, mon = MONTHS[month].split("-")
    return f"{year}-{mon}-{day:02d}T{hour:02d}:00:00Z"


def epoch(text):
    import datetime
    return int(datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp())


for r in range(repo_count):
    agency, agency_name, names = AGENCIES[r % len(AGENCIES)]
    owners = [names[(r // len(AGENCIES) + k) % len(names)] for k in range(3)]
    repo = f"{agency}-{owners[0]}-service"
    # Each file: 60 lines; a defect is a flagged line. Fixes rewrite the line.
    files = {}          # path -> list of lines
    defects = []        # dict(path, line, rule, introduced month, fixed month or None, team)
    deps = []           # dict(team, package..., introduced, fixed)
    commits = []        # (time, author, message, {path: text}, tag)
    codeowners_v1 = "\n".join([f"# {repo} CODEOWNERS: the last matching line wins."]
                              + [f"/services/{t}/   @example-gov/{t}" for t in owners]
                              + ["/legacy/   @example-gov/batch-jobs", "# /vendor/ is nobody's", ""])
    # In June the second team hands its service to the third (a reorganisation).
    codeowners_v2 = codeowners_v1.replace(f"/services/{owners[1]}/   @example-gov/{owners[1]}",
                                          f"/services/{owners[1]}/   @example-gov/{owners[2]}")
    commits.append((stamp(0, 1, 9), teams[owners[0]]["people"][0], "CODEOWNERS", {"CODEOWNERS": codeowners_v1}, None))
    for month in range(12):
        for team in owners + ["vendor"]:
            changed = {}
            count = 5 if team != "vendor" else 1
            for n in range(count):
                ext = rng.choice(["py", "py", "js"])
                base = "vendor/lib" if team == "vendor" else (f"legacy/{owners[0]}" if n == 0 and month % 4 == 3 else f"services/{team}/m{month}")
                path = f"{base}/f{r}_{month}_{n}.{ext}"
                body = [f"# {path} line {i + 1}" if ext == "py" else f"// {path} line {i + 1}" for i in range(60)]
                for _ in range(rng.choice([1, 2, 3, 3, 4])):
                    choices = [rule for rule in RULES if rule[4] == ext]
                    rule = rng.choice(choices)
                    line = rng.randrange(5, 58)
                    if any(d["path"] == path and d["line"] == line for d in defects):
                        continue
                    body[line - 1] = f"risky_call_{rule[0].split('.')[-1]}_{line}(user_input)  # flagged"
                    fixed = None
                    if rng.random() < 0.7:
                        fixed = month + 1 + min(int(rng.expovariate(1 / 2.5)), 11)
                        fixed = fixed if fixed < 12 else None
                    defects.append({"path": path, "line": line, "rule": rule, "introduced": month, "fixed": fixed,
                                    "team": team})
                files[path] = body
                changed[path] = "\n".join(body) + "\n"
            if team != "vendor" and month % 3 == 0:
                # Dependencies: a requirements file whose vulnerable pins come and go.
                path = f"services/{team}/requirements.txt"
                picks = rng.sample(PACKAGES, 4)
                for package in picks:
                    fixed = month + rng.choice([1, 2, 3, 6, 20])
                    deps.append({"path": path, "package": package, "introduced": month, "fixed": fixed if fixed < 12 else None})
                changed[path] = "".join(f"{p[0]}=={p[1]}\n" for p in picks)
            author = teams[team]["people"][rng.randrange(3)] if team != "vendor" else "casey@vendor.example.com"
            commits.append((stamp(month, 3 + owners.index(team) * 5 if team in owners else 25, 10), author,
                            f"{team}: work of {MONTHS[month]}", changed, None))
        if month == 6:
            commits.append((stamp(month, 1, 8), teams[owners[2]]["people"][0], "CODEOWNERS: reorganisation",
                            {"CODEOWNERS": codeowners_v2}, None))
        # Fixes of the month, by the team that owns the file then.
        fixes = {}
        for d in defects:
            if d["fixed"] == month:
                body = files[d["path"]]
                body[d["line"] - 1] = f"safe_call_{d['line']}(validated(user_input))"
                fixes[d["path"]] = "\n".join(body) + "\n"
        if fixes:
            fixer = teams[owners[rng.randrange(3)]]["people"][1]
            commits.append((stamp(month, 27, 15), fixer, f"fixes of {MONTHS[month]}", fixes, None))
        commits.sort(key=lambda c: c[0])
        commits[-1] = commits[-1][:4] + (f"v2026.{month + 1}",)

    # The repository through git fast-import: one stream, every commit, the monthly tags.
    directory = os.path.join(out, "repos", repo)
    subprocess.run(["git", "init", "-q", "-b", "main", directory], check=True)
    stream = []
    marks = []
    for number, (time, author, message, changed, tag) in enumerate(commits, start=1):
        seconds = epoch(time)
        stream.append(f"commit refs/heads/main\nmark :{number}\n"
                      f"author {author.split('@')[0]} <{author}> {seconds} +0000\n"
                      f"committer {author.split('@')[0]} <{author}> {seconds} +0000\n"
                      f"data {len(message.encode())}\n{message}\n")
        if number > 1:
            stream.append(f"from :{number - 1}\n")
        for path, text in sorted(changed.items()):
            data = text.encode()
            stream.append(f"M 100644 inline {path}\ndata {len(data)}\n{text}\n")
        marks.append((number, time, tag))
        if tag:
            stream.append(f"tag {tag}\nfrom :{number}\ntagger ci <ci@example.gov> {seconds} +0000\ndata 0\n\n")
    subprocess.run(["git", "-C", directory, "fast-import", "--quiet"], input="".join(stream).encode(), check=True)
    subprocess.run(["git", "-C", directory, "checkout", "-q", "main"], check=True)
    shas = subprocess.run(["git", "-C", directory, "rev-list", "--reverse", "main"], capture_output=True, text=True,
                          check=True).stdout.split()
    by_time = list(zip([m[1] for m in marks], shas))

    # A scan on the first days of each month, of the last commit before it.
    for month in range(1, 12):
        scan_time = stamp(month, 1 + r % 5, 6)
        commit = [sha for time, sha in by_time if time < scan_time][-1]
        seen = [d for d in defects if d["introduced"] < month and (d["fixed"] is None or d["fixed"] >= month)]
        results, rules = [], {}
        for d in seen:
            rule_id, level, severity, cwe, _ = d["rule"]
            rules[rule_id] = {"id": rule_id, "name": rule_id.split(".")[-1], "defaultConfiguration": {"level": level},
                              "shortDescription": {"text": rule_id.split(".")[-1].replace("-", " ")},
                              "properties": {"security-severity": severity, "tags": ["security", cwe]}}
            results.append({"ruleId": rule_id, "level": level, "message": {"text": f"{rule_id.split('.')[-1]} in {d['path']}"},
                            "locations": [{"physicalLocation": {"artifactLocation": {"uri": d["path"]},
                                                                "region": {"startLine": d["line"],
                                                                           "snippet": {"text": f"risky_call_{rule_id.split('.')[-1]}_{d['line']}(user_input)  # flagged"}}}}]})
        sarif = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Semgrep OSS", "semanticVersion": "1.69.0",
                                                                   "rules": list(rules.values())}}, "results": results}]}
        day = scan_time[:10]
        semgrep = os.path.join(out, "reports", f"{day}-{repo}-semgrep.sarif")
        with open(semgrep, "w") as f:
            json.dump(sarif, f)
        targets = {}
        for d in deps:
            if d["introduced"] < month and (d["fixed"] is None or d["fixed"] >= month):
                name, version, fix, cve, severity = d["package"]
                targets.setdefault(d["path"], []).append({
                    "VulnerabilityID": cve, "PkgName": name, "PkgIdentifier": {"PURL": f"pkg:pypi/{name}@{version}"},
                    "InstalledVersion": version, "FixedVersion": fix, "Severity": severity, "Title": f"{name}: {cve}"})
        trivy = {"SchemaVersion": 2, "CreatedAt": scan_time, "ArtifactName": repo, "ArtifactType": "repository",
                 "Results": [{"Target": t, "Class": "lang-pkgs", "Type": "pip", "Vulnerabilities": v}
                             for t, v in sorted(targets.items())]}
        trivy_file = os.path.join(out, "reports", f"{day}-{repo}-trivy.json")
        with open(trivy_file, "w") as f:
            json.dump(trivy, f)
        scans.append((scan_time, repo, commit, semgrep, trivy_file))

# A network scan of the state's servers (Tenable Nessus, .nessus XML): six servers a team, and a
# rack of old servers in no team's inventory.
PLUGINS = [
    ("57608", "SMB Signing not required", 2, "445", []), ("104743", "TLS Version 1.0 Protocol Detection", 2, "443", []),
    ("42873", "SSL Medium Strength Cipher Suites Supported (SWEET32)", 3, "443", ["CVE-2016-2183"]),
    ("97833", "MS17-010: Security Update for Microsoft Windows SMB Server", 4, "445", ["CVE-2017-0144"]),
    ("156032", "Apache Log4Shell RCE detection (CVE-2021-44228)", 4, "8080", ["CVE-2021-44228"]),
    ("10863", "SSL Certificate Information", 0, "443", []), ("11219", "Nessus SYN scanner", 0, "22", []),
    ("90317", "SSH Weak Algorithms Supported", 2, "22", []),
]
hosts = [(f"srv{n}.{team}.{facts['agency']}.example.gov", f"10.{i}.{n}.10") for i, (team, facts) in enumerate(teams.items())
         for n in range(6)] + [(f"old{n}.legacy.example.gov", f"10.250.0.{n}") for n in range(24)]
report = ['<?xml version="1.0" ?>', "<NessusClientData_v2>", '<Report name="State network scan, November 2026">']
for name, ip in hosts:
    report.append(f'<ReportHost name="{ip}"><HostProperties><tag name="host-ip">{ip}</tag>'
                  f'<tag name="host-fqdn">{name}</tag><tag name="HOST_START">Mon Nov 23 02:00:00 2026</tag></HostProperties>')
    for plugin, title, severity, port, cves in rng.sample(PLUGINS, rng.randrange(2, 6)):
        report.append(f'<ReportItem port="{port}" svc_name="svc" protocol="tcp" severity="{severity}" pluginID="{plugin}" '
                      f'pluginName="{title}" pluginFamily="General"><synopsis>{title} on the remote host.</synopsis>'
                      + "".join(f"<cve>{cve}</cve>" for cve in cves) + "</ReportItem>")
    report.append("</ReportHost>")
report += ["</Report>", "</NessusClientData_v2>"]
with open(os.path.join(out, "reports", "network.nessus"), "w") as f:
    f.write("\n".join(report) + "\n")

# A web scan of the state's public sites (OWASP ZAP XML): a portal for every third team, named
# after it (so the teams file's host rules own it), and an old forms site in no inventory.
ALERTS = [
    ("40012", "Cross Site Scripting (Reflected)", 3, "79", ["q", "search", "name"]),
    ("40018", "SQL Injection", 3, "89", ["id", "account"]),
    ("10038", "Content Security Policy (CSP) Header Not Set", 2, "693", [""]),
    ("10010", "Cookie No HttpOnly Flag", 1, "1004", ["JSESSIONID", "session"]),
    ("10021", "X-Content-Type-Options Header Missing", 1, "693", [""]),
    ("10036", "Server Leaks Version Information via \"Server\" HTTP Response Header Field", 1, "200", [""]),
    ("10027", "Information Disclosure - Suspicious Comments", 0, "200", [""]),
]
PAGES = ["/", "/login", "/search", "/account/statement", "/forms/apply", "/api/v1/status"]
sites = [f"portal.{team}.{facts['agency']}.example.gov" for n, (team, facts) in enumerate(teams.items()) if n % 3 == 0]
sites.append("forms.legacy.example.gov")
zap = ['<?xml version="1.0"?>', '<OWASPZAPReport programName="ZAP" version="2.16.1" generated="Tue, 24 Nov 2026 03:00:00">']
for site in sites:
    zap.append(f'<site name="https://{site}" host="{site}" port="443" ssl="true"><alerts>')
    for plugin, title, risk, cwe, params in rng.sample(ALERTS, rng.randrange(3, 6)):
        instances = []
        for page in rng.sample(PAGES, rng.randrange(1, 4)):
            param = rng.choice(params)
            instances.append(f"<instance><uri>https://{site}{page}{'?' + param + '=1' if param and risk == 3 else ''}</uri>"
                             f"<method>GET</method><param>{param}</param><evidence>{title} at {page}</evidence></instance>")
        zap.append(f"<alertitem><pluginid>{plugin}</pluginid><alertRef>{plugin}</alertRef><alert>{title}</alert>"
                   f"<name>{title}</name><riskcode>{risk}</riskcode><confidence>2</confidence>"
                   f"<instances>{''.join(instances)}</instances><count>{len(instances)}</count><cweid>{cwe}</cweid>"
                   "</alertitem>")
    zap.append("</alerts></site>")
zap.append("</OWASPZAPReport>")
with open(os.path.join(out, "reports", "web.zap.xml"), "w") as f:
    f.write("\n".join(zap) + "\n")

scans.sort()
with open(os.path.join(out, "scans.tsv"), "w") as f:
    for scan in scans:
        f.write("\t".join(scan) + "\n")
print(f"{len(teams)} teams, {repo_count} repositories, {len(scans)} scans; "
      f"{sum(1 for _ in open(os.path.join(out, 'scans.tsv')))} to ingest")
