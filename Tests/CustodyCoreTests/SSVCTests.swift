import CustodyCore
import Testing

struct SSVCTests {
    /// CISA's tree as CERT/CC publishes it (cisa_coordinator_2_0_3.csv): exploitation,
    /// automatable, technical impact, mission and well-being -> decision.
    static let leaves = """
        none,no,partial,low,track
        none,no,partial,medium,track
        none,no,partial,high,track
        none,no,total,low,track
        none,no,total,medium,track
        none,no,total,high,track*
        none,yes,partial,low,track
        none,yes,partial,medium,track
        none,yes,partial,high,attend
        none,yes,total,low,track
        none,yes,total,medium,track
        none,yes,total,high,attend
        public poc,no,partial,low,track
        public poc,no,partial,medium,track
        public poc,no,partial,high,track*
        public poc,no,total,low,track
        public poc,no,total,medium,track*
        public poc,no,total,high,attend
        public poc,yes,partial,low,track
        public poc,yes,partial,medium,track
        public poc,yes,partial,high,attend
        public poc,yes,total,low,track
        public poc,yes,total,medium,track*
        public poc,yes,total,high,attend
        active,no,partial,low,track
        active,no,partial,medium,track
        active,no,partial,high,attend
        active,no,total,low,track
        active,no,total,medium,attend
        active,no,total,high,act
        active,yes,partial,low,attend
        active,yes,partial,medium,attend
        active,yes,partial,high,act
        active,yes,total,low,attend
        active,yes,total,medium,act
        active,yes,total,high,act
        """

    @Test func everyLeafOfTheCISATree() {
        let rows = Self.leaves.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        #expect(rows.count == 36)
        for row in rows {
            let exploitation: SSVC.Exploitation =
                row[0] == "active" ? .active : row[0] == "public poc" ? .publicPoC : .none
            let inputs = SSVC.Inputs(
                exploitation: exploitation, automatable: row[1] == "yes", totalImpact: row[2] == "total",
                mission: SSVC.Level(rawValue: row[3])!)
            #expect(SSVC.decide(inputs).rawValue.lowercased() == row[4], "\(row)")
        }
    }

    @Test func inputsFromWhatCustodyKnows() {
        let log4shell = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"
        var inputs = SSVC.inputs(
            kev: true, epss: 0.97, vectors: [log4shell], severity: .critical, criticality: .critical)
        #expect(inputs.text == "E:active/A:yes/T:total/M:high")
        #expect(SSVC.decide(inputs) == .act)
        inputs = SSVC.inputs(
            kev: false, epss: 0.02, vectors: ["CVSS:3.1/AV:L/AC:H/PR:L/UI:R/S:U/C:L/I:N/A:N"], severity: .low,
            criticality: nil)
        #expect(inputs.text == "E:none/A:no/T:partial/M:medium")
        #expect(SSVC.decide(inputs) == .track)
        // Exploit code per the vector, no vector's impact: severity decides technical impact.
        inputs = SSVC.inputs(
            kev: false, epss: nil, vectors: ["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N/E:P"],
            severity: .high, criticality: .low)
        #expect(inputs.text == "E:poc/A:yes/T:partial/M:low")
        #expect(SSVC.inputs(kev: false, epss: nil, vectors: [], severity: .critical, criticality: nil).totalImpact)
        // Priority: the decision first, then KEV, EPSS band, severity, criticality.
        let act = SSVC.priority(decision: .act, kev: false, epss: 0, severity: .low, criticality: .low)
        let attend = SSVC.priority(
            decision: .attend, kev: true, epss: 0.99, severity: .critical, criticality: .critical)
        #expect(act > attend)
        #expect(
            SSVC.priority(decision: .track, kev: false, epss: 0.6, severity: .low, criticality: nil)
                > SSVC.priority(decision: .track, kev: false, epss: 0.05, severity: .critical, criticality: nil))
    }
}
