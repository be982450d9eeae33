import Store

/// Laws are fitted to runs of one adaptation. A source may hold the same mixtures adapted two
/// ways: the standard sweep also scores its xl reasoning line with the LM frozen (profile
/// `frozen-lm`), which measures the LM's prior rather than the adapted model, some ten points
/// lower. Pooled with the others, those runs would read as seed noise of the same mixtures.
public enum Adaptations {
    /// Profiles that score the standard adaptation (`precise` only asks more questions).
    static let standardProfiles: Set<String> = ["standard", "precise"]

    /// The adaptation a run was scored under, from the profile in a sweep run's name (`RunName`).
    /// Imported runs without one are taken as standard.
    public static func of(runName name: String?) -> String {
        let profile = RunName(name)?.profile ?? "standard"
        return standardProfiles.contains(profile) ? "standard" : profile
    }

    /// The runs to fit: those of the adaptation most runs share (the standard one on a tie),
    /// and how many of each other adaptation were left out.
    public static func fitted(_ runs: [StoredRun]) -> (runs: [StoredRun], leftOut: [(adaptation: String, count: Int)]) {
        let groups = Dictionary(grouping: runs) { of(runName: $0.name) }
        guard groups.count > 1 else { return (runs, []) }
        // Ranked by run count, then the standard one, then name: not by the dictionary's order.
        let ranked = groups.sorted { a, b in
            a.value.count != b.value.count ? a.value.count > b.value.count
                : (a.key == "standard") != (b.key == "standard") ? a.key == "standard" : a.key < b.key
        }
        let kept = ranked[0].key
        return (runs.filter { of(runName: $0.name) == kept }, ranked.dropFirst().map { ($0.key, $0.value.count) })
    }
}
