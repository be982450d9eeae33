import Foundation

/// Support for bench/fit: hands the exact problem (scaled inputs, scores, bounds, starts) to
/// another solver and times the Swift/GSL multi-start fit of the same problem.
public enum FitBench {
    public struct Problem: Codable {
        public var family: String
        public var n: [Double]
        public var d: [Double]
        public var y: [Double]
        public var parameterNames: [String]
        /// Per parameter: ["free"], ["range", lo, hi] or ["logRange", lo, hi] (as strings and numbers).
        public var bounds: [[String]]
        /// Unconstrained θ of every start, in the order the Swift fit uses them.
        public var thetaStarts: [[Double]]
        public var maxIterations: Int
        public var xtol: Double
        public var gtol: Double
    }

    public struct Timing: Codable {
        public var repeats: Int
        public var starts: Int
        public var secondsPerFit: Double
        public var bestSSR: Double
        public var totalIterations: Int
        public var parameters: [String: Double]
    }

    /// The problem of fitting `family` to `points` with `options`' starts.
    public static func problem(_ family: LawFamily, points: [LawPoint], options: FitOptions) throws -> Problem {
        let shape = try LawShape.make(family, points: points, axis: options.axis)
        let feats = points.map { Features(params: $0.params, tokens: $0.tokens, mixture: $0.mixture, shape: shape) }
        let prob = LawProblem(shape: shape, feats: feats, y: points.map(\.score), weights: points.map(\.weight), method: options.method)
        let starts = makeStarts(prob, options: options).map { prob.thetaValues($0) }
        let bounds: [[String]] = shape.parameters.map {
            switch $0.bound {
            case .free: ["free"]
            case let .range(lo, hi): ["range", "\(lo)", "\(hi)"]
            case let .logRange(lo, hi): ["logRange", "\(lo)", "\(hi)"]
            }
        }
        return Problem(family: family.rawValue, n: feats.map(\.n), d: feats.map(\.d), y: points.map(\.score),
                       parameterNames: shape.parameterNames, bounds: bounds, thetaStarts: starts,
                       maxIterations: options.maxIterations, xtol: 1e-8, gtol: 1e-8)
    }

    /// Mean wall time of `repeats` complete multi-start fits (no bootstrap, no validation).
    public static func time(_ family: LawFamily, points: [LawPoint], options: FitOptions, repeats: Int) throws -> Timing {
        let shape = try LawShape.make(family, points: points, axis: options.axis)
        var fit = try fitParameters(shape, points: points, options: options)  // warm-up
        let t0 = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<repeats { fit = try fitParameters(shape, points: points, options: options) }
        let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        return Timing(repeats: repeats, starts: fit.diagnostics.starts, secondsPerFit: dt / Double(repeats), bestSSR: fit.ssr, totalIterations: fit.diagnostics.totalIterations,
                      parameters: Dictionary(uniqueKeysWithValues: zip(shape.parameterNames, fit.params)))
    }
}
