import CustodyCore
import CustodyOwnership
import Testing

struct TeamsFileTests {
    @Test func readsUnitsAndTeams() throws {
        let organisation = try TeamsFile.parse(
            """
            units:
              - id: state
                name: State
              - id: treasury
                name: Department of the Treasury
                parent: state
                head: dana@example.gov
            teams:
              - id: payments
                name: Payments
                unit: treasury
                lead: bob@example.gov
                handles: ["@example/payments", "payments@example.gov", "@bob"]
              - id: web
                unit: state
            """, file: "teams.yaml")
        #expect(organisation.units.map(\.id) == ["state", "treasury"])
        #expect(organisation.units[1].parentID == "state")
        #expect(organisation.units[1].head == "dana@example.gov")
        #expect(
            organisation.teams[0]
                == Team(
                    id: "payments", name: "Payments", unitID: "treasury", lead: "bob@example.gov",
                    handles: ["@example/payments", "payments@example.gov", "@bob"]))
        #expect(organisation.teams[1].name == "web")  // the id stands in for a missing name
    }

    func failure(_ text: String) -> Diagnostic? {
        do {
            _ = try TeamsFile.parse(text, file: "teams.yaml")
            return nil
        } catch {
            return error as? Diagnostic
        }
    }

    @Test func errorsNameTheLine() {
        var error = failure("teams:\n  - id: a\n    handles: [\"not-a-handle\"]\n")
        #expect(error?.place == "line 3")
        #expect(error?.file == "teams.yaml")
        #expect(error?.message.contains("invalid handle 'not-a-handle'") == true)

        error = failure("teams:\n  - name: nameless\n")
        #expect(error?.place == "line 2")
        #expect(error?.message == "missing 'id'")

        error = failure("units:\n  - id: a\nteams:\n  - id: t\n    unit: nowhere\n")
        #expect(error?.place == "line 4")
        #expect(error?.message == "unknown unit 'nowhere'")

        error = failure("teams: [\n")
        #expect(error?.place?.hasPrefix("line ") == true)

        error = failure("team:\n  - id: a\n")
        #expect(error?.message.contains("unknown key 'team'") == true)

        error = failure("teams:\n  - id: a\n  - id: a\n")
        #expect(error?.message == "duplicate team id 'a'")
        #expect(error?.place == "line 3")
    }

    @Test func anchorsAndMergeKeys() throws {
        let organisation = try TeamsFile.parse(
            """
            teams:
              - &base
                id: a
                lead: lead@example.gov
              - <<: *base
                id: b
            """, file: "teams.yaml")
        #expect(organisation.teams.map(\.lead) == ["lead@example.gov", "lead@example.gov"])
        #expect(organisation.teams.map(\.id) == ["a", "b"])
    }
}
