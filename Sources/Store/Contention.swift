import Foundation
import GRDB

/// Another process's write holding the database past the busy timeout: the one answer every
/// front end gives for it (the CLI prints it, the server sends it with 503 and Retry-After).
public struct StoreBusyError: Error, CustomStringConvertible {
    public static let message = "the database is busy with another write (an import or sweep); try again"
    /// SQLite's own error, for logs; users read `description`, which does not repeat it.
    public let cause: Error
    public var description: String { Self.message }
    public init(_ cause: Error) { self.cause = cause }
}

extension ResultStore {
    /// How long SQLite waits for another writer before a write gives up: `$VISIONMIX_BUSY_TIMEOUT`
    /// seconds when set (tests use a short one), else `defaultBusyTimeout`.
    public static let defaultBusyTimeout: TimeInterval = 30
    /// How long a sweep keeps retrying a write that found the database busy: longer than the
    /// longest import (about a minute for a million rows), so a sweep outlasts one instead of
    /// failing after hours of training.
    public static let sweepWriteRetry: TimeInterval = 600
    /// How long a command's write (an import, a fit) keeps retrying while another process
    /// writes: as long as a sweep's, so a second import waits for the first instead of failing.
    public static let commandWriteRetry: TimeInterval = 600

    /// `$VISIONMIX_WRITE_RETRY` seconds when set (tests use 0 to see the busy answer at once),
    /// else `commandWriteRetry`.
    public static var commandWriteRetrySetting: TimeInterval {
        guard let s = ProcessInfo.processInfo.environment["VISIONMIX_WRITE_RETRY"], let t = Double(s), t >= 0, t.isFinite else {
            return commandWriteRetry
        }
        return t
    }

    static var busyTimeout: TimeInterval {
        guard let s = ProcessInfo.processInfo.environment["VISIONMIX_BUSY_TIMEOUT"], let t = Double(s), t >= 0, t.isFinite else {
            return defaultBusyTimeout
        }
        return t
    }

    /// Whether `error` is store contention (SQLITE_BUSY or SQLITE_LOCKED), which waiting cures.
    public static func isContention(_ error: Error) -> Bool {
        if error is StoreBusyError { return true }
        guard let e = error as? DatabaseError else { return false }
        return e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED
    }

    /// `error` as the user should read it: contention becomes `StoreBusyError`, anything else
    /// is returned as it is.
    public static func userFacing(_ error: Error) -> Error {
        guard isContention(error), !(error is StoreBusyError) else { return error }
        return StoreBusyError(error)
    }

    /// Every write of the store: one transaction, retried while the database is busy for up to
    /// `writeRetry` seconds, then reported as `StoreBusyError`. Retrying is safe because a
    /// busy write rolled back whole.
    func writeRetrying<T>(_ updates: (Database) throws -> T) throws -> T {
        try Self.retryingWhileBusy(for: writeRetry, onWait: onWait) { try pool.write(updates) }
    }

    /// `body`, run again every quarter second while it fails on contention, for up to `seconds`;
    /// `onWait` is told once, when the first attempt has found the database busy, how long the
    /// rest of the wait may last.
    static func retryingWhileBusy<T>(for seconds: TimeInterval, onWait: (@Sendable (TimeInterval) -> Void)? = nil,
                                     _ body: () throws -> T) throws -> T {
        let deadline = Date().addingTimeInterval(seconds)
        var told = false
        while true {
            do { return try body() } catch where isContention(error) {
                guard Date() < deadline else { throw StoreBusyError(error) }
                if !told { told = true; onWait?(deadline.timeIntervalSinceNow) }
                Thread.sleep(forTimeInterval: 0.25)
            }
        }
    }
}
