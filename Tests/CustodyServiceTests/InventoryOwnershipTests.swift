import CustodyCore
import CustodyService
import CustodyTestSupport
import Foundation
import Testing

/// Findings with no file - a host's from a network scan - get their owner from the inventory:
/// the teams file's host rules (names by glob, addresses by CIDR), the first that matches, and
/// `owners explain` names the rule.
@Suite struct InventoryOwnershipTests {
    @Test func aHostsFindingsBelongToTheTeamItsInventoryRuleNames() throws {
        let directory = TemporaryDirectory()
        let service = CustodyService(databasePath: TestDatabase.location(directory.file("custody.db")))
        let admin = Principal(name: "admin")
        let teams = """
            teams:
              - {id: payments, handles: ["@example/payments"]}
              - {id: platform, handles: ["@example/platform"]}
            assets:
              - {host: "*.payments.example.gov", team: payments}
              - {host: "10.40.0.0/16", team: platform}
            """
        _ = try service.importOrganisation([.text(name: "teams.yaml", teams)], by: admin)
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
    }
}
