import CustodyCore
import CustodyJSON

/// Tool fingerprints that one run gives to results at different places of one file under one
/// rule: not identities.
///
/// A tool's fingerprint is trusted as a result's identity because it survives lines moving. The
/// same value on two results of one rule in one file, at different lines or with different
/// snippets, identifies neither (a tool that hashes too little, or writes one value per rule):
/// those results are identified by their content instead, as if the tool gave none. The same
/// value in two files or under two rules is not shared in this sense: the identity includes
/// both, and CodeQL's line hashes repeat across files whose flagged lines are equal.
struct SharedFingerprints {
    /// A result's claim: (rule, file, fingerprints) hashed, and where the result is.
    struct Claim: Equatable {
        var identity: Int
        var place: Int
    }

    private var places: [Int: Int] = [:]
    private var shared: Set<Int> = []

    /// How many fingerprint values were found shared.
    var count: Int { shared.count }

    mutating func note(_ claim: Claim) {
        if let known = places[claim.identity] {
            if known != claim.place { shared.insert(claim.identity) }
        } else {
            places[claim.identity] = claim.place
        }
    }

    func isShared(_ claim: Claim) -> Bool { shared.contains(claim.identity) }

    /// The claim of one SARIF result, nil when it has no fingerprint worth a claim. `member` gives
    /// the result's members; each value is used before the next is asked for, so a lookup may
    /// parse into one reused document.
    static func claim(_ member: (StaticString) throws -> JSONValue?) rethrows -> Claim? {
        var identity = Hasher()
        var any = false
        for key in ["partialFingerprints", "fingerprints"] as [StaticString] {
            guard let members = try member(key)?.object else { continue }
            for (name, value) in members.sorted(by: { $0.key < $1.key }) {
                guard let text = value.string, !Fingerprint.isPlaceholder(text) else { continue }
                identity.combine(name)
                identity.combine(text)
                any = true
            }
        }
        guard any else { return nil }
        if let rule = try member("ruleId")?.string {
            identity.combine(rule)
        } else if let index = try member("ruleIndex")?.int {
            identity.combine(index)
        }
        var place = Hasher()
        if var locations = try member("locations")?.array, let location = locations.next() {
            let physical = location["physicalLocation"]
            identity.combine(physical?["artifactLocation"]?["uri"]?.string)
            identity.combine(physical?["artifactLocation"]?["index"]?.int)
            let region = physical?["region"]
            place.combine(region?["startLine"]?.int)
            place.combine(region?["endLine"]?.int)
            place.combine(region?["snippet"]?["text"]?.string)
        }
        return Claim(identity: identity.finalize(), place: place.finalize())
    }
}
