import Foundation
import VisionMixCore

/// The set of mixtures a recommendation may pick: a simplex over components (the sources of a
/// catalogue, or reasoning/visual/other shares) cut by per-component lower and upper bounds.
public struct SearchSpace: Sendable {
    public var space: MixtureSpace
    /// The sources of the weights space.
    public var catalogue: SourceCatalogue
    public var names: [String]
    public var lower: [Double]
    public var upper: [Double]
    /// Why each upper bound is what it is, for reporting the ones that bind.
    public var upperReasons: [String?]
    public var lowerReasons: [String?]

    public init(space: MixtureSpace, catalogue: SourceCatalogue = .builtin) {
        self.space = space
        self.catalogue = catalogue
        names = space == .weights ? catalogue.names : ["reasoning", "visual", "other"]
        lower = Array(repeating: 0, count: names.count)
        upper = Array(repeating: 1, count: names.count)
        upperReasons = Array(repeating: nil, count: names.count)
        lowerReasons = Array(repeating: nil, count: names.count)
    }

    public var dimension: Int { names.count }

    /// Narrows the space by `bounds`; a component it does not have is named with the ones it has.
    public mutating func apply(_ bounds: [MixtureBound]) throws {
        for b in bounds {
            let key = b.component.lowercased().replacingOccurrences(of: "_share", with: "")
            guard let i = names.firstIndex(of: key) ?? (space == .weights ? catalogue.index(of: key) : nil) else {
                let hint = space == .weights ? catalogue.suggestion(for: key).map { " (did you mean \($0)?)" } ?? "" : ""
                throw PlannerError.badBound("'\(b.component)' in '\(b)' is not one of " + names.joined(separator: ", ") + hint)
            }
            let f = b.percent / 100
            let label = "\(names[i])\(b.relation.rawValue)\(b.percent.formatted())"
            if b.relation != .atMost { if f > lower[i] { lower[i] = f; lowerReasons[i] = label } }
            if b.relation != .atLeast { if f < upper[i] { upper[i] = f; upperReasons[i] = label } }
        }
    }

    /// Caps each source so its tokens in the mixture stay within `available × maxEpochs`; a
    /// source the catalogue does not hold is refused with the nearest one.
    public mutating func apply(_ available: [SourceAvailability], tokens: Double, maxEpochs: Double) throws {
        guard !available.isEmpty else { return }
        guard space == .weights else {
            throw PlannerError.badAvailability("--available needs per-source laws; these laws read only reasoning/visual shares")
        }
        guard maxEpochs > 0, maxEpochs.isFinite else { throw PlannerError.badAvailability("--max-epochs must be positive") }
        for a in available {
            guard let i = catalogue.index(of: a.source) else {
                throw PlannerError.badAvailability("'\(a.source)' is not a source — \(MixtureError.unknownSource(a.source, catalogue: catalogue))")
            }
            let cap = min(1, a.tokens * maxEpochs / tokens)
            if cap < upper[i] {
                upper[i] = cap
                upperReasons[i] = "\(names[i]) available \(Quantity.format(a.tokens)) × \(maxEpochs.formatted()) epochs"
            }
        }
    }

    /// Refuses bounds no mixture can meet, naming them.
    public func checkFeasible() throws {
        for i in 0..<dimension where lower[i] > upper[i] + 1e-12 {
            throw PlannerError.infeasible("bounds conflict: \(lowerReasons[i] ?? "\(names[i])>=0") and \(upperReasons[i] ?? "\(names[i])<=100")")
        }
        let lo = lower.reduce(0, +), hi = upper.reduce(0, +)
        if lo > 1 + 1e-12 {
            throw PlannerError.infeasible(String(format: "lower bounds add up to %.1f%%, more than 100%%: ", lo * 100)
                + lowerReasons.compactMap { $0 }.joined(separator: ", "))
        }
        if hi < 1 - 1e-12 {
            throw PlannerError.infeasible(String(format: "upper bounds add up to %.1f%%, less than 100%%: ", hi * 100)
                + upperReasons.compactMap { $0 }.joined(separator: ", "))
        }
    }

    /// The nearest point of the bounded simplex to `v` (Euclidean projection): clamps
    /// `v − τ` into the bounds, with τ found by bisection so the result sums to 1.
    public func project(_ v: [Double]) -> [Double] {
        func total(_ tau: Double) -> Double {
            var s = 0.0
            for i in 0..<v.count { s += min(max(v[i] - tau, lower[i]), upper[i]) }
            return s
        }
        var lo = zip(v, upper).map { $0 - $1 }.min()! - 1, hi = zip(v, lower).map { $0 - $1 }.max()! + 1
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if total(mid) > 1 { lo = mid } else { hi = mid }
            if hi - lo < 1e-15 { break }
        }
        var w = (0..<v.count).map { min(max(v[$0] - (lo + hi) / 2, lower[$0]), upper[$0]) }
        // Hand the last rounding residue to components with room, so the sum is 1 to 1e-15.
        var residue = 1 - w.reduce(0, +)
        for i in 0..<w.count where abs(residue) > 0 {
            let room = residue > 0 ? upper[i] - w[i] : lower[i] - w[i]
            let step = residue > 0 ? min(residue, room) : max(residue, room)
            w[i] += step
            residue -= step
        }
        return w
    }

    /// The components that sit on a bound, with the bound's reason.
    public func binding(_ w: [Double], tolerance: Double = 1e-6) -> [String] {
        var out: [String] = []
        for i in 0..<dimension {
            if upper[i] < 1 && w[i] >= upper[i] - tolerance { out.append(upperReasons[i] ?? "\(names[i]) at its upper bound") }
            if lower[i] > 0 && w[i] <= lower[i] + tolerance { out.append(lowerReasons[i] ?? "\(names[i]) at its lower bound") }
        }
        return out
    }

    /// The mixture a point of the space stands for.
    public func mixture(_ w: [Double]) -> Mixture {
        switch space {
        case .weights:
            return (try? Mixture(vector: w.map { max(0, $0) }, catalogue: catalogue, scale: .fraction, normalise: true))!
        case .shares:
            return (try? Mixture(reasoningShare: min(1, max(0, w[0])), visualShare: min(1 - min(1, max(0, w[0])), max(0, w[1]))))!
        }
    }

    /// The point of the space for a mixture (its shares, in the shares space).
    public func point(_ m: Mixture) -> [Double] {
        switch space {
        case .weights: m.vector
        case .shares: [m.reasoningShare!, m.visualShare!, max(0, 1 - m.reasoningShare! - m.visualShare!)]
        }
    }
}
