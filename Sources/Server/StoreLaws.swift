import Foundation
import Planner
import Store

/// Laws from the store, loaded as the CLI loads them (`LawSet.load(store:source:)`) and reused
/// until a newer fit of the source is stored: decoding every fit with its bootstrap ensemble
/// per request dominated a prediction's latency.
public enum StoreLaws {
    public static func provider(_ store: ResultStore) -> LawProvider {
        let cache = LawSetCache()
        return { source in
            let version = try store.newestFitId(label: source)
            if let hit = cache.get(source, version: version) { return hit }
            do {
                let laws = try LawSet.load(store: store, source: source).0
                cache.put(source, version: version, laws)
                return laws
            } catch PlannerError.missing {
                // No fits for the source is a 404 naming `source`, not a malformed request.
                throw LawLookupError.noFits(source)
            }
        }
    }
}

/// Law sets by source, valid while the source's newest fit id is unchanged.
final class LawSetCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: (version: Int64?, laws: LawSet)] = [:]

    func get(_ source: String, version: Int64?) -> LawSet? {
        lock.lock(); defer { lock.unlock() }
        guard let e = entries[source], e.version == version, version != nil else { return nil }
        return e.laws
    }

    func put(_ source: String, version: Int64?, _ laws: LawSet) {
        lock.lock(); defer { lock.unlock() }
        entries[source] = (version, laws)
    }
}
