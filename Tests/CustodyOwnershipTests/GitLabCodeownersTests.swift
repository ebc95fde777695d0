import CustodyCore
import CustodyJSON
import CustodyOwnership
import CustodyTestSupport
import Foundation
import Testing

func gitlabRows() throws -> [PatternCase] {
    guard Corpora.isAvailable else { return [] }
    let document = try JSONDocument(contentsOfFile: Corpora.path("codeowners/cases.json"))
    return Array(document.root.array!).filter { $0["dialect"]?.string == "gitlab" }.map {
        PatternCase(pattern: $0["pattern"]!.string!, path: $0["path"]!.string!, matches: $0["matches"]!.bool!)
    }
}

func fileCases(_ block: String) throws -> [JSONValue] {
    let document = try JSONDocument(contentsOfFile: Corpora.path("codeowners/file_cases.json"))
    return Array(document.root.member(block)!["cases"]!.array!)
}

func handles(_ owners: [Codeowners.Owner]) -> String { owners.map(\.handle).joined(separator: " ") }

@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct GitLabCodeownersCorpusTests {
    @Test(arguments: try gitlabRows())
    func gitlabPatternConformance(_ row: PatternCase) throws {
        #expect(try CodeownersPattern(gitlab: row.pattern).matches(row.path) == row.matches)
    }

    @Test func normalisedPatterns() throws {
        let document = try JSONDocument(contentsOfFile: Corpora.path("codeowners/file_cases.json"))
        let normalized = document.root["gitlab_fixture_codeowners_example"]!["normalized_patterns"]!.object!
        var count = 0
        for (pattern, expected) in normalized {
            #expect(CodeownersPattern.gitlabNormalized(pattern) == expected.string!, "\(pattern)")
            count += 1
        }
        #expect(count == 10)
    }

    @Test func sectionHeaders() throws {
        for testCase in try fileCases("gitlab_section_parser") {
            let line = testCase["line"]!.string!
            if testCase["sectional_data"] != nil { continue }  // merging: covered by sectionsMergeWithoutCase
            let header = GitLabCodeowners.header(Substring(line))
            let error = testCase["error"]?.string
            if error == "invalid_section_format" {
                #expect(header?.problem == .invalidSectionFormat, "\(line)")
                continue
            }
            let parsed = try #require(header, "\(line)")
            #expect(parsed.name == testCase["name"]!.string!, "\(line)")
            #expect(parsed.optional == testCase["optional"]!.bool!, "\(line)")
            #expect(parsed.approvals == testCase["approvals"]!.int!, "\(line)")
            #expect(parsed.defaultOwnersText == testCase["default_owners"]!.string!, "\(line)")
            #expect(parsed.problem?.rawValue == error, "\(line)")
        }
    }

    @Test func inlineFiles() throws {
        var checked = 0
        for testCase in try fileCases("gitlab_inline") {
            let text = testCase["codeowners"]!.string!
            let file = GitLabCodeowners(text: text)
            if let path = testCase["path"]?.string {
                let found = file.match(path)
                let owners = found.map { handles($0.owners) } ?? ""
                if let include = testCase["owners_include"]?.array {
                    for name in include.compactMap(\.string) {
                        let handle = name.contains("@") ? name : "@" + name
                        #expect(found?.owners.map(\.handle).contains(handle) == true, "\(path) has \(handle)")
                    }
                }
                if let exclude = testCase["owners_exclude"]?.array {
                    for name in exclude.compactMap(\.string) {
                        #expect(!(found?.owners.map(\.handle).contains("@" + name) ?? false), "\(path) lacks \(name)")
                        #expect(!(found?.owners.map(\.handle).contains(name) ?? false), "\(path) lacks \(name)")
                    }
                }
                if testCase["owners"]?.isNull == true { #expect(found == nil, "\(path)") }
                if let line = testCase["owner_line"]?.string { #expect(owners == line, "\(path)") }
                if testCase["entries"]?.array != nil { #expect(file.matches(path).isEmpty, "\(path)") }
                checked += 1
            }
            if let sections = testCase["sections"]?.array {
                #expect(file.sections.map(\.name) == sections.compactMap(\.string))
                checked += 1
            }
            if let entries = testCase["entries"]?.object {
                for (name, expected) in entries {
                    let section = try #require(file.sections.firstIndex { $0.name == name }, "\(name)")
                    #expect(file.sections[section].approvals == expected["approvals_required"]!.int!, "\(name)")
                    let entry = try #require(file.entries.last { $0.section == section })
                    #expect(handles(entry.owners) == expected["owner_line"]!.string!, "\(name)")
                }
                checked += 1
            }
            if let errors = testCase["errors"]?.array {
                let expected = Array(errors).map { pair -> String in
                    let items = Array(pair.array!)
                    return "\(items[0].string!)@line \(items[1].int!)"
                }
                let actual = file.diagnostics.map { "\($0.message.prefix { $0 != ":" })@\($0.place ?? "")" }
                #expect(actual == expected)
                checked += 1
            }
            if let optional = testCase["optional_section"]?.object {
                for (name, flag) in optional {
                    let section = file.sections.first { $0.name.lowercased() == name.lowercased() }
                    #expect((section?.optional ?? false) == flag.bool!, "\(name)")
                }
                checked += 1
            }
        }
        #expect(checked == 19)  // every case of the block was checked
    }

    @Test func githubExampleSectionsReadAsGitLab() throws {
        let document = try JSONDocument(contentsOfFile: Corpora.path("codeowners/file_cases.json"))
        let entry = document.root["sbdchd_github_example"]!
        let file = GitLabCodeowners(text: entry["codeowners"]!.string!)
        for testCase in entry["section_cases"]!.array! {
            let path = testCase["path"]!.string!
            #expect(file.matches(path).map(\.section).contains(testCase["section"]!.string!), "\(path)")
        }
    }

    @Test func realGitLabFileParses() throws {
        let name = "gitlab-org-gitlab.CODEOWNERS.EXCERPT"
        let text = try String(contentsOfFile: Corpora.path("codeowners/real/" + name), encoding: .utf8)
        #expect(CodeownersDialect.detect(text) == .gitlab)
        let file = GitLabCodeowners(text: text, file: name)
        // Owner-less entries ("excluded from required approval") are GitLab lint warnings, not errors.
        #expect(file.diagnostics.filter { $0.severity == .error }.isEmpty, "\(file.diagnostics)")
        #expect(file.sections.count > 3)
        let root = try #require(file.match("app/models/user.rb"))
        #expect(root.owners.map(\.handle).contains("@gitlab-org/maintainers/rails-backend"))
        // "/doc/*.md" has no owners: it unsets the "*" rule in the default section.
        #expect(file.matches("doc/index.md").first { $0.section == "codeowners" }?.owners == [])
    }
}

struct GitLabCodeownersTests {
    @Test func sectionsMergeWithoutCaseAndEveryMatchingSectionCounts() {
        let file = GitLabCodeowners(
            text: """
                *.rb @ruby-owner
                [Docs] @docs
                *.md
                [Backend][2]
                app/ @backend
                [docs]
                app/**/*.md @app-docs
                """)
        #expect(file.sections.map(\.name) == ["codeowners", "Docs", "Backend"])
        #expect(file.sections[2].approvals == 2)
        let found = file.matches("app/models/readme.md")
        #expect(found.map(\.section) == ["Docs", "Backend"])
        #expect(found[0].owners.map(\.handle) == ["@app-docs"])  // last match in the merged section
        #expect(file.match("app/models/readme.md")?.owners.map(\.handle) == ["@app-docs", "@backend"])
        #expect(file.matches("README.md").first?.owners.map(\.handle) == ["@docs"])  // section default
    }

    @Test func dialectDetectionAndLocations() {
        #expect(CodeownersDialect.detect("* @a\n[Docs]\n*.md @d\n") == .gitlab)
        #expect(CodeownersDialect.detect("* @a\n!*.rb\n") == .gitlab)
        #expect(CodeownersDialect.detect("* @a\n# [not a section]\n") == .github)
        #expect(CodeownersDialect.locate(among: ["CODEOWNERS", ".github/CODEOWNERS"])?.path == ".github/CODEOWNERS")
        #expect(CodeownersDialect.locate(among: ["docs/CODEOWNERS", ".gitlab/CODEOWNERS"])?.path == "docs/CODEOWNERS")
        #expect(CodeownersDialect.locate(among: [".gitlab/CODEOWNERS"])?.dialect == .gitlab)
        #expect(GitLabCodeowners.location(among: ["docs/CODEOWNERS", "CODEOWNERS"]) == "CODEOWNERS")
        #expect(GitLabCodeowners.location(among: [".gitlab/CODEOWNERS", "docs/CODEOWNERS"]) == "docs/CODEOWNERS")
    }

    @Test func nestedGroupsAndRolesAreOwnersInGitLabOnly() {
        #expect(Codeowners.Owner("@org/group/sub", dialect: .gitlab)?.kind == .team)
        #expect(Codeowners.Owner("@org/group/sub") == nil)
        #expect(Codeowners.Owner("@@maintainer", dialect: .gitlab) != nil)
    }
}
