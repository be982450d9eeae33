import Foundation
import VisionMixCore

/// The one check of a sweep spec, shared by `sweep run --spec`, `POST /v1/sweeps` and the
/// runner: every name, size, mixture, budget, seed and limit (`Limits`), each refused with the
/// field it is in, before the sweep is registered or any run starts.
extension SweepSpec {
    public func validate(knownSizes: [String]?) throws {
        // The label becomes a fit file's folder: a plain label. A name may also hold '-'
        // (`encoder-patch-xl`), never '/' or '.'.
        guard Self.isValidName(name) else {
            throw SweepError.invalid(field: "name", message: "name '\(name.prefix(80))' must be a plain name (letters, digits, _ and -; starting with a letter; at most 64)")
        }
        try Self.requirePlain(label, at: "label", what: "a plain label")
        try Self.requirePlain(encoder, at: "encoder", what: "an encoder name")
        try Self.checkSeeds(seeds, at: "seeds")
        if let p = profile { try Self.checkProfile(p, at: "profile") }
        guard !designs.isEmpty else { throw SweepError.invalid(field: "designs", message: "designs must list at least one design") }
        var requested = 0
        for (i, d) in designs.enumerated() {
            let at = "designs[\(i)]"
            _ = try d.budgets(at: at)
            guard !d.sizes.isEmpty else { throw SweepError.invalid(field: "\(at).sizes", message: "\(at).sizes is empty") }
            if let seeds = d.seeds { try Self.checkSeeds(seeds, at: "\(at).seeds") }
            if let p = d.profile { try Self.checkProfile(p, at: "\(at).profile") }
            for (j, size) in d.sizes.enumerated() {
                if let known = knownSizes, !known.contains(size) {
                    throw SweepError.invalid(field: "\(at).sizes[\(j)]", message: "\(at): unknown size '\(size)' (sizes: \(known.joined(separator: ", ")))")
                }
            }
            guard !d.mixtures.isEmpty else { throw SweepError.invalid(field: "\(at).mixtures", message: "\(at).mixtures is empty") }
            // Counted before the mixtures are parsed: a spec of a million entries is refused
            // by its size, not after reading every entry.
            requested += d.sizes.count * d.mixtures.count * (d.seeds ?? seeds).count
            guard requested <= Limits.maxSweepRuns else {
                throw SweepError.invalid(field: "designs", message: "the spec asks for \(requested)+ runs; a sweep runs at most \(Limits.maxSweepRuns)")
            }
            for (j, m) in d.mixtures.enumerated() {
                do { _ = try MixtureSpec.parse(m).mixture } catch {
                    throw SweepError.invalid(field: "\(at).mixtures[\(j)]", message: "\(at): mixture '\(m)': \(error)")
                }
            }
        }
    }

    /// A sweep's name: a plain label that may also hold '-'.
    public static func isValidName(_ name: String) -> Bool {
        MetricCatalogue.isValidName(name.replacingOccurrences(of: "-", with: "_"))
    }

    static func requirePlain(_ value: String, at field: String, what: String) throws {
        guard MetricCatalogue.isValidName(value) else {
            throw SweepError.invalid(field: field, message: "\(field) '\(value.prefix(80))' must be \(what) (letters, digits, _; starting with a letter; at most 64)")
        }
    }

    /// A spec's or a design's seeds: one to `Limits.maxSeeds`, each a 32-bit non-negative integer.
    static func checkSeeds(_ seeds: [Int], at field: String) throws {
        guard !seeds.isEmpty else { throw SweepError.invalid(field: field, message: "\(field) must list at least one seed") }
        guard seeds.count <= Limits.maxSeeds else {
            throw SweepError.invalid(field: field, message: "\(field) lists \(seeds.count) seeds; the limit is \(Limits.maxSeeds)")
        }
        for (i, seed) in seeds.enumerated() where !(0...Int(Int32.max)).contains(seed) {
            throw SweepError.invalid(field: "\(field)[\(i)]", message: "seed \(seed) is not in 0–\(Int32.max)")
        }
    }

    static func checkProfile(_ profile: String, at field: String) throws {
        guard profiles.contains(profile) else {
            throw SweepError.invalid(field: field, message: "\(field): unknown profile '\(profile)'; profiles: " + profiles.joined(separator: ", "))
        }
    }
}

extension SweepDesign {
    /// The design's token budget and its distinct checkpoint budgets (the budget included),
    /// refused past `Limits.maxRunTokens`; `at` names the design in messages.
    func budgets(at: String) throws -> (total: Double, checkpoints: [Double]) {
        let field = at.isEmpty ? "tokens" : "\(at).tokens"
        guard let total = Quantity.parse(tokens), total > 0 else {
            throw SweepError.invalid(field: field, message: "\(field) '\(tokens.prefix(80))' is not a count like 400K")
        }
        guard total <= Limits.maxRunTokens else {
            throw SweepError.invalid(field: field, message: "\(field) '\(tokens)' is past the limit of \(Quantity.format(Limits.maxRunTokens)) tokens a run")
        }
        var budgets: Set<Double> = [total]
        for (j, c) in checkpoints.enumerated() {
            guard let b = Quantity.parse(c), b >= 0, b <= total else {
                let f = at.isEmpty ? "checkpoints[\(j)]" : "\(at).checkpoints[\(j)]"
                throw SweepError.invalid(field: f, message: "\(f): checkpoint '\(c.prefix(80))' is not a count up to \(tokens)")
            }
            budgets.insert(b)
        }
        return (total, budgets.sorted())
    }
}
