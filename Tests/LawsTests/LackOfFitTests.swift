import Foundation
import Testing
import VisionMixCore
@testable import Laws

/// Five inputs measured twice each, 0.1 either side of `truth`.
private func replicated(_ truth: (Double) -> Double) -> [LawPoint] {
    (1...5).flatMap { i in [-0.1, 0.1].map { e in LawPoint(params: Double(i) * 1e6, tokens: 1e6, score: truth(Double(i)) + e) } }
}

@Test func lackOfFitSplitsTheMissFromTheSeedNoise() throws {
    let points = replicated { 40 + $0 }
    // Predictions at the inputs' means: nothing missed beyond the replicates' spread.
    let right = try #require(LackOfFit(points: points, predictions: points.map { 40 + $0.params / 1e6 }, parameters: 2))
    #expect(right.inputs == 5 && right.replicated == 5 && right.dfLack == 3 && right.dfPure == 5)
    #expect(abs(right.pureErrorSD - (0.1 / 5).squareRoot()) < 1e-12 && right.f == 0 && right.p == 1 && !right.rejectsTheForm)
    // Every mean missed by 1: SS_lack = 5 · 2 · 1² on 3 df against SS_pure = 0.1 on 5.
    let wrong = try #require(LackOfFit(points: points, predictions: points.map { 41 + $0.params / 1e6 }, parameters: 2))
    #expect(abs(wrong.f - (10.0 / 3) / (0.1 / 5)) < 1e-9 && wrong.p < 1e-4 && wrong.rejectsTheForm, "\(wrong)")
    #expect(wrong.summary.contains("F = 166.67 on 3 and 5 df"), "\(wrong.summary)")
    // Nothing to test: no input measured twice, or no more inputs than parameters.
    #expect(LackOfFit(points: Array(points.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)), predictions: [Double](repeating: 0, count: 5), parameters: 2) == nil)
    #expect(LackOfFit(points: points, predictions: points.map(\.score), parameters: 5) == nil)
}
