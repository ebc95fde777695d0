/// One statement of a VEX document (OpenVEX or CSAF VEX): what a producer says about a
/// vulnerability in some products.
public struct VEXStatement: Sendable, Equatable {
    public enum Status: String, Sendable {
        case notAffected = "not_affected"
        case affected
        case fixed
        case underInvestigation = "under_investigation"
    }

    /// The vulnerability's id and its aliases.
    public var vulnerabilityIDs: [String]
    /// Package URLs of the products (or their subcomponents) the statement is about.
    public var products: [String]
    public var status: Status
    /// OpenVEX's justification word, as written.
    public var justification: String?
    public var impact: String?
    public var action: String?
    /// When the statement was made (ISO 8601 UTC): later ones override earlier ones.
    public var timestamp: String
    /// Where it comes from: the document's id or file, and author.
    public var document: String

    public init(
        vulnerabilityIDs: [String], products: [String], status: Status, justification: String? = nil,
        impact: String? = nil, action: String? = nil, timestamp: String, document: String
    ) {
        self.vulnerabilityIDs = vulnerabilityIDs
        self.products = products
        self.status = status
        self.justification = justification
        self.impact = impact
        self.action = action
        self.timestamp = timestamp
        self.document = document
    }

    /// The false-positive justification (docs/lifecycle.md) an OpenVEX or CSAF justification means.
    public var findingJustification: VEXJustification {
        switch justification {
        case "component_not_present", "vulnerable_code_not_present": .codeNotPresent
        case "vulnerable_code_not_in_execute_path": .codeNotReachable
        case "vulnerable_code_cannot_be_controlled_by_adversary": .protectedAtRuntime
        case "inline_mitigations_already_exist": .protectedByMitigatingControl
        default: .codeNotPresent
        }
    }
}
