import Foundation
import GRDB

/// Another process's write holding the database past the busy timeout: the one answer every
/// front end gives for it (the CLI prints it, the server sends it with 503 and Retry-After).
public struct StoreBusyError: Error, CustomStringConvertible {
    public static let message = "the database is busy with another write (an import or sweep); try again"
    public let description: String
    public init(_ cause: Error) { description = "\(Self.message) (\(cause))" }
}

extension ResultStore {
    /// How long SQLite waits for another writer before a write gives up: `$VISIONMIX_BUSY_TIMEOUT`
    /// seconds when set (tests use a short one), else `defaultBusyTimeout`.
    public static let defaultBusyTimeout: TimeInterval = 30
    /// How long a sweep keeps retrying a write that found the database busy: longer than the
    /// longest import (about a minute for a million rows), so a sweep outlasts one instead of
    /// failing after hours of training.
    public static let sweepWriteRetry: TimeInterval = 600

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
        try Self.retryingWhileBusy(for: writeRetry) { try pool.write(updates) }
    }

    /// `body`, run again every quarter second while it fails on contention, for up to `seconds`.
    static func retryingWhileBusy<T>(for seconds: TimeInterval, _ body: () throws -> T) throws -> T {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            do { return try body() } catch where isContention(error) {
                guard Date() < deadline else { throw StoreBusyError(error) }
                Thread.sleep(forTimeInterval: 0.25)
            }
        }
    }
}
