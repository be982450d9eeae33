import Foundation
import GRDB

/// A database's content as text, to prove a refused request changed nothing. The file's bytes
/// are no proof either way: a checkpoint or a reused page changes them with no change of data.
public enum DatabaseDump {
    /// Every table's and index's schema, then every row of every table in rowid order.
    public static func text(_ path: String) throws -> String {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: config)
        return try queue.read { db in
            var out: [String] = []
            let objects = try Row.fetchAll(db, sql: """
                SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name
                """)
            for o in objects {
                out.append((o["sql"] as String?) ?? "")
                guard (o["type"] as String) == "table" else { continue }
                let name: String = o["name"]
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(name)\" ORDER BY rowid") { out.append("\(name): \(row)") }
            }
            return out.joined(separator: "\n")
        }
    }
}

/// Another process's long write, as a test stages it: a connection of its own on the same file
/// holding `BEGIN IMMEDIATE` (the write lock) until `release()`.
public final class WriteLockHolder: @unchecked Sendable {
    private let acquired = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    public init(path: String) throws {
        let queue = try DatabaseQueue(path: path)
        let thread = Thread { [acquired, released, finished] in
            try? queue.inDatabase { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                acquired.signal()
                released.wait()
                try db.execute(sql: "ROLLBACK")
            }
            finished.signal()
        }
        thread.start()
        acquired.wait()
    }

    /// Ends the transaction (writing nothing) and waits until the lock is gone.
    public func release() {
        released.signal()
        finished.wait()
    }
}
