import CustodyCore
import CustodyService
import CustodyTestSupport
import Foundation
import Testing

/// Findings with no file - a host's from a network scan - get their owner from the inventory:
/// the teams file's host rules (names by glob, addresses by CIDR), the first that matches, and
/// `owners explain` names the rule.
@Suite struct InventoryOwnershipTests {
    /// A service over a new store (in `directory`, kept as long as the fixture) whose teams file
    /// holds two teams and `assets` (YAML list items).
    struct Inventory {
        let directory: TemporaryDirectory
        let service: CustodyService
        let admin: Principal
    }

    static func service(assets: String) throws -> Inventory {
        let directory = TemporaryDirectory()
        let service = CustodyService(databasePath: TestDatabase.location(directory.file("custody.db")))
        let admin = Principal(name: "admin")
        let teams = """
            teams:
              - {id: payments, handles: ["@example/payments"]}
              - {id: platform, handles: ["@example/platform"]}
            assets:
            \(assets)
            """
        _ = try service.importOrganisation([.text(name: "teams.yaml", teams)], by: admin)
        return Inventory(directory: directory, service: service, admin: admin)
    }

    @Test func aHostsFindingsBelongToTheTeamItsInventoryRuleNames() throws {
        let inventory = try Self.service(
            assets: """
                - {host: "*.payments.example.gov", team: payments}
                - {host: "10.40.0.0/16", team: platform}
                """)
        let (service, admin) = (inventory.service, inventory.admin)
        let scan = """
            <?xml version="1.0" ?>
            <NessusClientData_v2><Report name="r">
            <ReportHost name="a"><HostProperties><tag name="host-fqdn">pay1.payments.example.gov</tag></HostProperties>
            <ReportItem port="443" protocol="tcp" severity="3" pluginID="42873" pluginName="SWEET32"/></ReportHost>
            <ReportHost name="b"><HostProperties><tag name="host-ip">10.40.3.7</tag></HostProperties>
            <ReportItem port="22" protocol="tcp" severity="2" pluginID="90317" pluginName="SSH weak"/></ReportHost>
            <ReportHost name="c"><HostProperties><tag name="host-fqdn">old.legacy.example.gov</tag></HostProperties>
            <ReportItem port="445" protocol="tcp" severity="4" pluginID="97833" pluginName="MS17-010"/></ReportHost>
            </Report></NessusClientData_v2>
            """
        _ = try service.ingest(IngestRequest(inputs: [.bytes(name: "scan.nessus", Array(scan.utf8))]), by: admin)
        let rows = try service.findings(FindingListRequest())
        let owners = Dictionary(uniqueKeysWithValues: rows.map { ($0.asset ?? "", $0.ownerTeam) })
        #expect(owners["pay1.payments.example.gov"] == "payments")
        #expect(owners["10.40.3.7"] == "platform")
        #expect(owners["old.legacy.example.gov"] == .some(nil), "in no team's inventory: unowned")
        let paid = try #require(rows.first { $0.asset == "pay1.payments.example.gov" })
        let explained = try service.explainOwner(paid.id)
        #expect(explained.finding.ownerEvidence?.pattern == "host *.payments.example.gov")
        #expect(explained.finding.ownerEvidence?.source == "asset-rule")
        #expect(explained.precedence.contains("first host or image rule"), "\(explained.precedence)")
        withExtendedLifetime(inventory) {}
    }

    /// Cloud findings (AWS Security Hub's ASFF) belong to the team a `cloud` rule names - an
    /// account id owns every resource of the account, a glob the resources it matches - or a
    /// `tag` rule for the resource's tags as the report gives them.
    @Test func aCloudResourceBelongsToTheTeamOfItsAccountOrResourceRule() throws {
        let inventory = try Self.service(
            assets: """
                - {cloud: "arn:aws:ecr:*:111122223333:repository/pay-*", team: payments}
                - {cloud: "111122223333", team: platform}
                - {tag: "Team=pay*", team: payments}
                """)
        let (service, admin) = (inventory.service, inventory.admin)
        func entry(_ id: String, account: String, resource: String, tags: String = "{}") -> String {
            #"{"SchemaVersion":"2018-10-08","Id":"\#(id)","ProductArn":"arn:aws:securityhub:eu-west-1::product/aws/inspector","GeneratorId":"AWSInspector","AwsAccountId":"\#(account)","Title":"CVE-2024-1 in x","Severity":{"Label":"HIGH"},"Vulnerabilities":[{"Id":"CVE-2024-1"}],"Resources":[{"Type":"AwsEcrContainerImage","Id":"\#(resource)","Tags":\#(tags)}]}"#
        }
        let findings = [
            entry(
                "1", account: "111122223333", resource: "arn:aws:ecr:eu-west-1:111122223333:repository/pay-api/sha256:1"
            ),
            entry("2", account: "111122223333", resource: "arn:aws:ec2:eu-west-1:111122223333:instance/i-1"),
            entry("3", account: "111122223333", resource: "AWS::::Account:111122223333"),
            entry("4", account: "444455556666", resource: "arn:aws:ec2:eu-west-1:444455556666:instance/i-2"),
            entry(
                "5", account: "444455556666", resource: "arn:aws:s3:::pay-reports",
                tags: #"{"team":"payments-core","Name":"reports"}"#),
        ]
        let report = "[" + findings.joined(separator: ",") + "]"
        _ = try service.ingest(IngestRequest(inputs: [.bytes(name: "hub.json", Array(report.utf8))]), by: admin)
        let rows = try service.findings(FindingListRequest())
        let owners = Dictionary(uniqueKeysWithValues: rows.map { ($0.asset ?? "", $0.ownerTeam) })
        #expect(owners.count == 5)
        #expect(owners["arn:aws:s3:::pay-reports"] == "payments", "its team tag")
        #expect(
            owners["arn:aws:ecr:eu-west-1:111122223333:repository/pay-api/sha256:1"] == "payments", "the glob first")
        #expect(owners["arn:aws:ec2:eu-west-1:111122223333:instance/i-1"] == "platform", "the account's")
        #expect(owners["AWS::::Account:111122223333"] == "platform")
        #expect(owners["arn:aws:ec2:eu-west-1:444455556666:instance/i-2"] == .some(nil), "an account no one holds")
        let account = try #require(rows.first { $0.asset == "AWS::::Account:111122223333" })
        #expect(try service.explainOwner(account.id).finding.ownerEvidence?.pattern == "cloud 111122223333")
        let tagged = try #require(rows.first { $0.asset == "arn:aws:s3:::pay-reports" })
        #expect(try service.explainOwner(tagged.id).finding.ownerEvidence?.pattern == "tag Team=pay*")
        withExtendedLifetime(inventory) {}
    }
}
