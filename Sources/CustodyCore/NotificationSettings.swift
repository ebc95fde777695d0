/// Where notifications go: the configuration's `notifications:` section (docs/notifications.md).
/// Secrets (tokens, passwords, signing keys, Slack URLs) are named by environment variable,
/// never written in the file.
public struct NotificationSettings: Sendable, Equatable {
    public var sinks: [SinkConfiguration]
    /// Attempts before a delivery is given up (marked failed, with an event).
    public var maxAttempts: Int
    /// The first retry waits this long; each next one twice as long, at most six hours.
    public var backoffSeconds: Int

    public init(sinks: [SinkConfiguration] = [], maxAttempts: Int = 8, backoffSeconds: Int = 60) {
        self.sinks = sinks
        self.maxAttempts = maxAttempts
        self.backoffSeconds = backoffSeconds
    }

    /// The wait before attempt `attempts + 1`, after `attempts` failed ones.
    public func backoff(afterAttempts attempts: Int) -> Int {
        min(backoffSeconds << min(max(attempts - 1, 0), 20), 6 * 3600)
    }
}

/// One destination for notifications.
public struct SinkConfiguration: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A generic JSON webhook (daily team digests), optionally HMAC-signed.
        case webhook
        /// A Slack-style incoming webhook (daily team digests as text).
        case slack
        /// E-mail over SMTP (daily team digests to the team's e-mail channels).
        case email
        /// Jira REST API v2: an issue per escalated finding, transitioned as it closes and reopens.
        case jira
        /// GitHub issues: an issue per escalated finding, closed and reopened with it.
        case github

        public var isTracker: Bool { self == .jira || self == .github }
    }

    public var name: String
    public var kind: Kind
    /// The endpoint, or the environment variable holding it (`url_env`, for Slack URLs).
    public var url: String?
    public var urlEnvironment: String?
    /// Environment variables holding secrets.
    public var tokenEnvironment: String?
    public var userEnvironment: String?
    public var passwordEnvironment: String?
    public var secretEnvironment: String?
    /// E-mail: the sender, recipients always added, STARTTLS required.
    public var from: String?
    public var to: [String] = []
    public var startTLS = false
    /// Jira: project key, issue type and transition names.
    public var project: String?
    public var issueType = "Bug"
    public var doneTransition = "Done"
    public var reopenTransition: String?
    /// GitHub: `owner/name` of the repository issues go to.
    public var repository: String?
    /// Trackers: a ticket when a finding reaches this stage of the ladder, for these severities.
    public var openAt: EscalationStage = .team
    public var severities: [Severity] = [.critical, .high]
    /// The configuration file's line, for messages.
    public var line: Int?

    public init(name: String, kind: Kind, url: String? = nil) {
        self.name = name
        self.kind = kind
        self.url = url
    }
}
