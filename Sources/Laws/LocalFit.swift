import Foundation
import VisionMixCore

/// A mixture law fitted near one mixture: each run's weight is multiplied by a Gaussian kernel
/// of its distance d from the centre, exp(−d² / 2h²), raised to `floor` where it falls below.
///
/// Why: a law that holds the response only approximately (a quadratic in the shares is a
/// response surface) takes its curvature from wherever the runs are. Runs at the simplex's
/// edges, where a saturating response bends hardest, leave the largest residuals and pull the
/// fitted peak away from them; weighted near the recipe, the law is fitted for the curvature
/// where it is used. The floor keeps every run in the fit, so far runs still anchor the law's
/// level and the hull the recipe is searched in. A law that holds the response exactly is
/// unbiased under any weights: it loses only the far runs' share of its precision.
///
/// d is measured in the coordinates the law reads: the reasoning and visual shares for
/// `quadratic_shares`, the per-source weights for every other mixture family.
public struct LocalFit: Codable, Sendable, Equatable {
    public var centre: Mixture
    /// h, in share (or weight) units: 0.15 is fifteen points of reasoning or visual share.
    public var bandwidth: Double

    /// The smallest weight a run keeps, relative to a run at the centre.
    public static let floor = 0.02
    /// The bandwidth the adaptive design refits a law of the shares near its recipe with
    /// (`sweep run --adaptive`; measured against 0.1 and 0.25 in docs/performance.md, "Run designs").
    public static let standardBandwidth = 0.15
    /// The widest bandwidth taken: past the simplex's diameter every run weighs nearly the same.
    public static let widest = 2.0

    /// Whether `bandwidth` is a positive distance up to `widest`.
    public static func takes(bandwidth: Double) -> Bool { bandwidth.isFinite && bandwidth > 0 && bandwidth <= widest }

    /// Why `bandwidth`, given as `name`, is refused, or nil when `takes` it.
    public static func refusal(bandwidth: Double, name: String = "a local fit's bandwidth") -> String? {
        takes(bandwidth: bandwidth) ? nil
            : "\(name) must be a distance in (0, \(widest)] in share or weight units, like 0.15; got \(bandwidth)"
    }

    /// Refuses a bandwidth `takes` does not.
    public init(centre: Mixture, bandwidth: Double) throws {
        if let why = Self.refusal(bandwidth: bandwidth) { throw LawError.notLocal(why) }
        self.centre = centre
        self.bandwidth = bandwidth
    }

    private enum CodingKeys: String, CodingKey { case centre, bandwidth }

    /// A fit file or a stored fit with a bandwidth no fit could have been made with is refused
    /// where it is read, with the rule, rather than weighting anything by it.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let bandwidth = try c.decode(Double.self, forKey: .bandwidth)
        if let why = Self.refusal(bandwidth: bandwidth) {
            throw DecodingError.dataCorruptedError(forKey: .bandwidth, in: c, debugDescription: why)
        }
        self.centre = try c.decode(Mixture.self, forKey: .centre)
        self.bandwidth = bandwidth
    }

    /// Why a fit of `family` cannot be made near a mixture, or nil when it can: only a named
    /// mixture family takes run weights, and kernel ridge is local already, through its kernel.
    public static func refusal(for family: LawFamilySelection) -> LawError? {
        if case let .family(f) = family, f.kind == .mixture, f != .kernelRidge { return nil }
        return .notLocal("a fit near a mixture refits one weighted mixture family (quadratic_shares, mixing_exponential or saturating_per_source); name it")
    }

    /// Whether the adaptive design refits a law of `family` near its recipe before designing: a
    /// quadratic in the shares is a response surface, a local approximation (as the design's
    /// space-filling runs go near the recipe for it); a law of the per-source weights is a global
    /// form, fitted best from runs over the whole space.
    public static func refitsNearRecipe(_ family: LawFamily) -> Bool { family == .quadraticShares }

    /// Whether distances for `family` are taken between the reasoning and visual shares.
    static func readsShares(_ family: LawFamily) -> Bool { family == .quadraticShares }

    /// The coordinates of `m` that `family` reads, or nil when the mixture has none of them.
    static func coordinates(_ m: Mixture, family: LawFamily) -> [Double]? {
        if readsShares(family) {
            guard let r = m.reasoningShare, let v = m.visualShare else { return nil }
            return [r, v]
        }
        return m.isSharesOnly ? nil : m.vector
    }

    /// The kernel weight of a run at `m` for a law of `family`.
    func weight(_ m: Mixture?, family: LawFamily) throws -> Double {
        guard let m, let x = Self.coordinates(m, family: family), let c = Self.coordinates(centre, family: family), x.count == c.count else {
            let space = Self.readsShares(family) ? "reasoning and visual shares" : "per-source weights over the same sources"
            throw LawError.notLocal("a fit of \(family.rawValue) near \(centre.description) needs the centre and every run to have \(space)")
        }
        let d2 = zip(x, c).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        return max(exp(-d2 / (2 * bandwidth * bandwidth)), Self.floor)
    }

    /// The centre in the coordinates `family` reads.
    public func centreDescription(family: LawFamily) -> String {
        Self.readsShares(family) ? centre.sharesDescription : centre.description
    }

    /// `points` with their weights multiplied by the kernel's, and a note saying so: the centre,
    /// the bandwidth and the effective number of runs (Σw)² / Σw², Kish's, of the kernel weights.
    func weighted(_ points: [LawPoint], family: LawFamily) throws -> (points: [LawPoint], note: String) {
        var out = points, kernel: [Double] = []
        for i in out.indices {
            let k = try weight(out[i].mixture, family: family)
            kernel.append(k)
            out[i].weight *= k
        }
        let sum = kernel.reduce(0, +), squares = kernel.reduce(0) { $0 + $1 * $1 }
        let effective = squares > 0 ? sum * sum / squares : 0
        let space = Self.readsShares(family) ? "shares" : "weights"
        let note = String(format: "fitted near %@ (Gaussian kernel over the %@, bandwidth %.2f, floor %.2f): the %d runs count as %.1f",
                          centreDescription(family: family), space, bandwidth, Self.floor,
                          points.count, effective)
        return (out, note)
    }
}
