import Planner
import VisionMixCore

/// A law whose answer is known in closed form, for testing what the planner and the server do
/// with laws (not how laws are fitted). Its bootstrap ensemble is `value` plus fixed offsets
/// scaled by `spread`, so intervals and replicate-by-replicate comparisons are predictable.
public struct KnownLaw: CategoryLaw {
    public var category: String
    public var family = "known"
    public var space: MixtureSpace?
    public var offsets: [Double]
    public var spread: @Sendable (Mixture) -> Double
    /// Sizes above this count as extrapolation.
    public var largestFittedParams: Double
    /// The law itself, of mixture and parameter count.
    public var value: @Sendable (Mixture, Double) -> Double

    public init(category: String, space: MixtureSpace?, offsets: [Double] = (0..<50).map { Double($0 - 25) * 0.01 },
                spread: @escaping @Sendable (Mixture) -> Double = { _ in 1 }, largestFittedParams: Double = .infinity,
                value: @escaping @Sendable (Mixture, Double) -> Double) {
        self.category = category; self.space = space; self.offsets = offsets; self.spread = spread
        self.largestFittedParams = largestFittedParams; self.value = value
    }

    /// A law of the mixture alone.
    public init(category: String, space: MixtureSpace?, _ f: @escaping @Sendable (Mixture) -> Double) {
        self.init(category: category, space: space) { m, _ in f(m) }
    }

    public func predict(params: Double, tokens: Double, mixture: Mixture) -> Double { value(mixture, params) }
    public func ensemble(params: Double, tokens: Double, mixture: Mixture) -> [Double] {
        let v = value(mixture, params), s = spread(mixture)
        return offsets.map { v + $0 * s }
    }
    public func isExtrapolation(params: Double, tokens: Double, mixture: Mixture) -> Bool { params > largestFittedParams }
}
