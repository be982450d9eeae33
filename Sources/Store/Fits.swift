import Foundation
import GRDB

/// The `fits` table: each fit a JSON body under its source label and category. The body's
/// meaning belongs to Laws (`FitJSON`); the store keeps it, hands it back newest first, and
/// knows nothing of what a law is.
extension ResultStore {
    /// Stores a fit's JSON body and returns its row id.
    @discardableResult
    public func saveFit(label: String, category: String, family: String, body: String) throws -> Int64 {
        var record = FitRecord(id: nil, label: label, category: category, family: family, body: body, createdAt: Date())
        return try writeRetrying { db in try record.insert(db); return record.id! }
    }

    /// Every stored fit of `label`, newest first.
    public func fits(label: String) throws -> [FitRecord] {
        try pool.read { db in
            try FitRecord.filter(Column("label") == label).order(Column("id").desc).fetchAll(db)
        }
    }

    /// The newest stored fit of each category of `label`, sorted by category.
    public func newestFits(label: String) throws -> [FitRecord] {
        try pool.read { db in
            try FitRecord.fetchAll(db, sql: """
                SELECT * FROM fits WHERE id IN (SELECT max(id) FROM fits WHERE label = ? GROUP BY category) ORDER BY category
                """, arguments: [label])
        }
    }

    /// The id of the newest stored fit of `label` (nil without fits): changes exactly when a
    /// fit is added, so callers can cache what they derive from the fits.
    public func newestFitId(label: String) throws -> Int64? {
        // Asked by every prediction the server answers: a cached statement skips the parse.
        try pool.read { db in try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM fits WHERE label = ?"), arguments: [label]) }
    }

    /// Complete runs of `label` stored after `date`: the runs a fit made at `date` has not seen.
    public func runsStored(label: String, after date: Date) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM runs WHERE label = ? AND status = 'complete' AND created_at > ?",
                             arguments: [label, date]) ?? 0
        }
    }
}
