import CustodyCore

/// Where a finding without a file is: on a scanned host, or on a cloud resource. Every host, web
/// and cloud reader places its findings so, and the pipeline owns them through the asset
/// (host, image, cloud and tag rules, docs/ownership.md).
extension NormalizedFinding {
    /// On `host` at `endpoint` (a port and protocol, a URL, a location), with the `parameter`
    /// when the tool names one: the host is its asset and (host, endpoint, parameter) its
    /// identity; an informational one is no security finding.
    mutating func place(onHost host: String, endpoint: String, parameter: String? = nil) {
        asset = host
        securityTagged = severity != .info
        toolFingerprints = ["host": host, "endpoint": endpoint]
        if let parameter { toolFingerprints["parameter"] = parameter }
    }

    /// On the cloud `resource` (its ARN or id) of `account`: the resource is its asset and
    /// (resource, account) its identity.
    mutating func place(onResource resource: String, account: String) {
        asset = resource
        securityTagged = severity != .info
        toolFingerprints = ["resource": resource, "account": account]
    }
}
