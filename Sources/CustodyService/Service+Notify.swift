import CustodyCore
import CustodyNotify
import CustodyStore
import Foundation

/// The states a delivery of the outbox can be in.
public enum DeliveryState: String, Sendable, CaseIterable {
    case pending, delivered, failed
}

extension CustodyService {
    /// One pass of the notification worker: plans digests and tickets, sends what is due.
    public func notify(now: Date, timeoutSeconds: Int, by principal: Principal) throws(ServiceError) -> Notifier.Report
    {
        try authorizeSecurity(principal, "send notifications")
        let settings = configuration.notifications
        guard !settings.sinks.isEmpty else {
            throw ServiceError(
                .invalidInput,
                "no sinks configured: add notifications.sinks to the configuration (docs/notifications.md)")
        }
        let store = try store()
        return try perform {
            try Notifier(store: store, settings: settings, environment: environment, timeoutSeconds: timeoutSeconds)
                .run(now: now)
        }
    }

    /// Deliveries, newest first.
    public func deliveries(state: DeliveryState?, limit: Int) throws(ServiceError) -> [DeliveryRow] {
        let store = try store()
        return try perform { try store.deliveries(state: state?.rawValue, limit: limit) }
    }

    /// Queues failed deliveries again; returns how many.
    public func retryFailedDeliveries(by principal: Principal, now: Date = Date()) throws(ServiceError) -> Int {
        try authorizeSecurity(principal, "retry deliveries")
        let store = try store()
        return try perform { try store.retryFailedDeliveries(now: now) }
    }
}
