import Foundation
import Testing
import PlannerTestSupport
import VisionMixCore
@testable import Planner

/// Four sources of a team's own, with the tokens each has on hand.
let teamSources = try! SourceCatalogue([
    Source(name: "crawl", availableTokens: 5e12), Source(name: "code_set", availableTokens: 25e9),
    Source(name: "papers", availableTokens: 400e9), Source(name: "forums", availableTokens: 1e12),
])

/// A loss over the team's sources that falls with code and papers (least at 70% code_set, 20% papers).
func teamLaws() -> LawSet {
    let loss = KnownLaw(category: "val_loss", space: .weights, offsets: (0..<20).map { Double($0 - 10) * 0.002 }) { m, _ in
        3 + 2 * pow(m.weight(named: "code_set") - 0.7, 2) + pow(m.weight(named: "papers") - 0.2, 2)
    }
    return LawSet(source: "team", laws: ["val_loss": loss], defaultParams: 1e9, defaultTokens: 1e12, catalogue: teamSources)
}

func teamRequest() throws -> RecommendationRequest {
    let name = RecommendationRequest.defaultBaseline(for: teamSources)
    var req = RecommendationRequest(objective: try Objective.parse("minimize val_loss"), baseline: Mixture.preset(name, catalogue: teamSources)!,
                                    baselineName: name)
    req.candidates = 2000
    return req
}

/// The catalogue's available tokens cap a recipe with no --available at all; a request's own
/// availability replaces the catalogue's for the sources it names.
@Test func aCataloguesAvailableTokensCapItsRecipes() throws {
    var req = try teamRequest()
    #expect(req.baselineName == "natural" && abs(req.baseline.weight(named: "code_set") - 25e9 / 6.425e12) < 1e-15)
    let capped = try teamLaws().recommend(req)
    #expect(capped.sources == teamSources.names)
    let w = try #require(capped.weights)
    // 25B tokens, 4 epochs, 1T-token run: code_set at most 10%.
    #expect(w["code_set"]! <= 0.1 + 1e-9 && w["code_set"]! > 0.1 - 1e-3, "\(w)")
    #expect(capped.binding.contains("code_set available 25B × 4 epochs"))
    #expect(capped.reasoningShare == nil && capped.nearestMeasured == nil)

    req.available = [try SourceAvailability(source: "Code-Set", tokens: 200e9)]
    let freer = try teamLaws().recommend(req)
    let fw = try #require(freer.weights)
    #expect(abs(fw["code_set"]! - 0.7) < 0.02 && abs(fw["papers"]! - 0.2) < 0.02, "\(fw)")
}

@Test func boundsAndAvailabilityNameTheCataloguesSources() throws {
    var req = try teamRequest()
    req.bounds = try MixtureBound.parseList("forum<=10")
    #expect(performing: { try teamLaws().recommend(req) },
            throws: { "\($0)" == "'forum' in 'forum<=10' is not one of crawl, code_set, papers, forums (did you mean forums?)" })
    req.bounds = try MixtureBound.parseList("forums>=30,papers=25")
    let r = try teamLaws().recommend(req)
    #expect(abs(r.weights!["papers"]! - 0.25) < 1e-9 && r.weights!["forums"]! >= 0.3 - 1e-9)
    req.bounds = []
    req.available = [try SourceAvailability(source: "web_crawl", tokens: 1e12)]
    #expect(performing: { try teamLaws().recommend(req) }, throws: { "\($0)".contains("'web_crawl' is not a source — unknown source 'web_crawl'") })
    // A baseline of the built-in sources is not a baseline of these laws.
    req.available = []
    req.baseline = Mixture.preset("balanced")!
    #expect(performing: { try teamLaws().recommend(req) }, throws: { "\($0)".contains("the baseline is a mixture of web_crawl") })
    #expect(performing: { try teamLaws().predictAll(params: nil, tokens: nil, mixture: Mixture.preset("balanced")!) },
            throws: { "\($0)".contains("but the laws of 'team' are over crawl, code_set, papers, forums") })
}

@Test func exportsUseTheTeamsNamesInOrder() throws {
    let r = try teamLaws().recommend(try teamRequest())
    let yaml = r.yaml()
    #expect(yaml.hasPrefix("# VisionMix recipe: minimize val_loss (source team)"))
    let lines = yaml.split(separator: "\n").map(String.init)
    let start = try #require(lines.firstIndex(of: "weights:"))
    #expect(lines[(start + 1)...(start + 4)].map { String($0.split(separator: ":")[0]).trimmingCharacters(in: .whitespaces) } == teamSources.names)
    #expect(yaml.contains("reasoning_share: null"))
    let megatron = try r.megatron(dataPrefix: "/corpora")
    #expect(megatron.contains("/corpora/code_set_text_document") && !megatron.contains("web_crawl"))
}
