import CustodyCore
import CustodyOwnership
import CustodyTestSupport
import Foundation
import Testing

struct AssetRuleTests {
    @Test func aCloudAccountOwnsTheResourcesOfEveryProvidersIdsThatNameIt() {
        let aws = AssetRule(kind: .cloud, pattern: "123456789012", team: "p", source: "t")
        #expect(aws.matches("arn:aws:s3:eu-west-1:123456789012:bucket/x"))
        #expect(aws.matches("AWS::::Account:123456789012"))
        #expect(!aws.matches("arn:aws:s3:eu-west-1:999956789012:bucket/123456789012"), "the account field only")
        let azure = AssetRule(kind: .cloud, pattern: "0b1f6471-1bf0-4dda-aec3-111122223333", team: "p", source: "t")
        #expect(
            azure.matches(
                "/subscriptions/0B1F6471-1BF0-4DDA-AEC3-111122223333/resourceGroups/rg/providers/Microsoft.Storage/x"))
        let google = AssetRule(kind: .cloud, pattern: "pay-prod", team: "p", source: "t")
        #expect(google.matches("//compute.googleapis.com/projects/pay-prod/zones/z/instances/i"))
        #expect(!google.matches("//compute.googleapis.com/projects/pay-prod-2/zones/z/instances/i"))
        let glob = AssetRule(kind: .cloud, pattern: "arn:aws:s3:::pay-*", team: "p", source: "t")
        #expect(glob.matches("arn:aws:s3:::pay-reports") && !glob.matches("arn:aws:s3:::web-assets"))
    }

    @Test func globsAndNetworks() {
        #expect(AssetRule(kind: .repository, pattern: "payments-*", team: "p", source: "t").matches("payments-api"))
        #expect(!AssetRule(kind: .repository, pattern: "payments-*", team: "p", source: "t").matches("web-payments"))
        #expect(
            AssetRule(kind: .package, pattern: "pkg:npm/@example/pay*", team: "p", source: "t").matches(
                "pkg:npm/@example/payroll@1.2.0"))
        #expect(
            AssetRule(kind: .image, pattern: "registry.example.gov/payments/*", team: "p", source: "t").matches(
                "registry.example.gov/payments/api:1.4"))
        let network = AssetRule(kind: .host, pattern: "10.20.0.0/16", team: "p", source: "t")
        #expect(network.matches("10.20.255.1"))
        #expect(!network.matches("10.21.0.1"))
        #expect(!network.matches("db.example.gov"))
        #expect(
            AssetRule(kind: .host, pattern: "*.pay.example.gov", team: "p", source: "t").matches("db1.pay.example.gov"))
        #expect(AssetRule(kind: .host, pattern: "0.0.0.0/0", team: "p", source: "t").matches("192.168.1.1"))
    }

    @Test func teamsFileDeclaresAssetsAndTeamDetails() throws {
        let organisation = try TeamsFile.parse(
            """
            teams:
              - id: payments
                handles: ["@example/payments"]
                members: [bob@example.gov, eve@example.gov]
                channels: ["slack:#payments"]
                escalation: [dana@example.gov]
            assets:
              - repository: "payments-*"
                team: payments
              - host: 10.20.0.0/16
                team: payments
            """, file: "teams.yaml")
        #expect(organisation.teams[0].members == ["bob@example.gov", "eve@example.gov"])
        #expect(organisation.teams[0].channels == ["slack:#payments"])
        #expect(organisation.teams[0].escalation == ["dana@example.gov"])
        #expect(organisation.assetRules.map(\.kind) == [.repository, .host])
        #expect(organisation.assetRules[0].line == 8)

        func error(_ text: String) -> String? {
            do {
                _ = try TeamsFile.parse(text, file: "t.yaml")
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(error("teams:\n  - id: a\nassets:\n  - repository: x\n    team: nobody\n")?.contains("line 4") == true)
        #expect(
            error("teams:\n  - id: a\nassets:\n  - repository: x\n    image: y\n    team: a\n")?.contains("exactly one")
                == true)
        #expect(
            error("teams:\n  - id: a\nassets:\n  - repository: x\n    team: a\n    owner: b\n")?.contains(
                "unknown key 'owner'") == true)
    }

    @Test func repositoryRulesApplyWhenNoCodeownersRuleMatches() {
        let organisation = Organisation(
            teams: [Team(id: "web", name: "Web", handles: ["@org/web"]), Team(id: "ops", name: "Ops")],
            assetRules: [AssetRule(kind: .repository, pattern: "portal*", team: "ops", source: "teams.yaml", line: 9)])
        let codeowners = Codeowners(text: "/web/ @org/web\n/vendor/\n")
        let resolver = OwnerResolver(
            codeowners: OwnerResolver.Source(rules: codeowners, file: "CODEOWNERS"), organisation: organisation)
        #expect(resolver.resolve(path: "web/a.js", repository: "portal").team == "web")
        let fallback = resolver.resolve(path: "tools/x.py", repository: "portal")
        #expect(fallback.team == "ops")
        #expect(fallback.evidence?.source == "asset-rule")
        #expect(fallback.evidence?.line == 9)
        // A CODEOWNERS line that unsets ownership decides: the repository rule does not override it.
        #expect(resolver.resolve(path: "vendor/x.js", repository: "portal").team == nil)
        #expect(resolver.resolve(path: "tools/x.py", repository: "other").team == nil)
    }
}

@Suite(.enabled(if: Corpora.isAvailable, Comment(rawValue: Corpora.skipMessage)))
struct BackstageCatalogTests {
    func load(_ name: String) throws -> (Organisation, [Diagnostic]) {
        let path = Corpora.path("backstage/" + name)
        return try BackstageCatalog.parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
    }

    @Test func groupAndUsers() throws {
        let (organisation, warnings) = try load("team-a-group.yaml")
        #expect(warnings.isEmpty)
        let team = try #require(organisation.teams.first)
        #expect(organisation.teams.count == 1)
        #expect(team.id == "team-a")
        #expect(team.name == "team-a")  // no displayName: the name stands in
        #expect(team.unitID == "backstage")  // spec.parent, a group of the default namespace
        #expect(team.handles == ["team-a@example.com"])
        #expect(team.members.contains("breanna-davison@example.com"))
        #expect(team.members.contains("janelle-dawe@example.com"))
        #expect(team.members.count >= 3)
    }

    @Test func ownersWithDefaultKindAndNamespace() throws {
        let (component, _) = try load("artist-lookup-component.yaml")
        #expect(
            component.assetRules == [
                AssetRule(
                    kind: .component, pattern: "component:default/artist-lookup", team: "team-a",
                    source: Corpora.path("backstage/artist-lookup-component.yaml")
                        + " (component:default/artist-lookup)")
            ])
        let (system, _) = try load("artist-engagement-portal-system.yaml")
        #expect(system.assetRules.map(\.pattern) == ["system:default/artist-engagement-portal"])
        #expect(system.assetRules.map(\.team) == ["team-a"])
        // In namespace "alternative", "default/team-a" names the group team-a of "default".
        let (other, _) = try load("different-namespace.yaml")
        #expect(other.assetRules.map(\.pattern) == ["component:alternative/different-namespace"])
        #expect(other.assetRules.map(\.team) == ["team-a"])
    }

    @Test func references() {
        let reference = BackstageCatalog.Reference("team-a", defaultKind: "group", defaultNamespace: "alternative")
        #expect(reference?.description == "group:alternative/team-a")
        #expect(reference?.id == "alternative/team-a")
        #expect(
            BackstageCatalog.Reference("user:default/jdoe", defaultKind: "group", defaultNamespace: "x")?.kind == "user"
        )
        #expect(BackstageCatalog.Reference("", defaultKind: "group", defaultNamespace: "x") == nil)
    }
}
