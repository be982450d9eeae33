import Fits
import Foundation
import Laws
import Planner
import Store
import Testing
import VisionMixCore
@testable import Server

/// The routes the dashboard's pages read, and the pages themselves as served. What the pages
/// do in a browser is checked by `make browser-test` (Tests/browser).
@Suite struct DashboardAPI {
    @Test func pagesAndAssetsAreServedFromTheBinaryWithALabelForEveryControl() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        for page in DashboardPages.pages {
            let r = try await s.get(page.path)
            #expect(r.status == 200 && r.headers["content-type"]?.hasPrefix("text/html") == true, "\(page.path)")
            let html = r.text
            #expect(html.contains("src=\"/assets/common.js\"") && html.contains("src=\"/assets/\(page.script)\""))
            #expect(!html.contains("http://") && !html.contains("https://"), "\(page.path) names nothing outside the server")
            // Every control has a label naming it: <label for="id"> for each input, select and textarea.
            let ids = matches(#"<(?:input|select|textarea)[^>]*\bid="([^"]+)""#, in: html)
            #expect(!ids.isEmpty)
            for id in ids { #expect(html.contains("<label for=\"\(id)\"") || html.contains("label class=\"inline\" for=\"\(id)\""), "\(page.path): #\(id) has no label") }
        }
        for (name, file) in DashboardAssets.files {
            let r = try await s.get("/assets/\(name)")
            #expect(r.status == 200 && r.text == file.text && r.headers["content-type"] == file.type, "\(name)")
            let outside = r.text.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
            let modules = matches(#"(?m)(^\s*import\s|\bimport\s*\()"#, in: r.text)
            #expect(!outside.contains("http://") && !outside.contains("https://") && modules.isEmpty, "\(name) loads nothing from elsewhere")
        }
        let missing = try await s.get("/assets/jquery.js")
        #expect(missing.status == 404 && missing.errorField == "name")
        let overview = try await s.get("/")
        #expect(DashboardPages.pages.allSatisfy { overview.text.contains("href=\"\($0.path)\"") }, "the overview links every page")
    }

    @Test func sourcesListFitsAndFacetsThatSelectTheirRuns() async throws {
        let s = try await TestServer.start(storeLaws: true)
        defer { Task { await s.stop() } }
        try seedPaper(s, label: "mixes")
        var r = try await s.get("/v1/sources")
        let first = (r.json["sources"] as? [[String: Any]])?.first
        #expect(first?["label"] as? String == "mixes" && first?["runs"] as? Int == 13 && (first?["fitted"] as? [String])?.isEmpty == true)
        #expect(try await s.post("/v1/fits", json: #"{"source": "mixes", "category": "vqa_avg"}"#).status == 200)
        r = try await s.get("/v1/sources/mixes")
        #expect(r.json["fitted"] as? [String] == ["vqa_avg"])
        let facets = try #require(r.json["facets"] as? [String: Any])
        let mixtures = try #require(facets["mixtures"] as? [[String: Any]])
        #expect(facets["mixtures_total"] as? Int == mixtures.count && mixtures.count >= 11)
        // Each mixture's spec selects exactly its runs.
        for m in mixtures {
            let spec = try #require(m["spec"] as? String)
            let page = try await s.get("/v1/runs?source=mixes&mix=" + spec.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            #expect(page.status == 200 && page.json["total"] as? Int == m["runs"] as? Int, "\(spec): \(page.text.prefix(200))")
            for run in page.json["runs"] as? [[String: Any]] ?? [] {
                #expect(abs((run["reasoning_share"] as? Double ?? -1) - (m["reasoning_share"] as? Double ?? -2)) < 1e-9)
            }
        }
        let sizes = try #require(facets["params"] as? [[String: Any]])
        let budgets = try #require(facets["tokens"] as? [[String: Any]])
        for v in sizes {
            let page = try await s.get("/v1/runs?source=mixes&params=\(Int(v["value"] as! Double))")
            #expect(page.json["total"] as? Int == v["runs"] as? Int)
        }
        for v in budgets {
            let page = try await s.get("/v1/runs?source=mixes&tokens=\(Int(v["value"] as! Double))")
            #expect(page.json["total"] as? Int == v["runs"] as? Int)
        }
        #expect(sizes.count == 2 && budgets.count == 2, "the paper's 3B/50B mixtures and its two 7B/1T runs")
        r = try await s.get("/v1/runs?source=mixes&tokens=0")
        #expect(r.json["total"] as? Int == 0)
        r = try await s.get("/v1/runs?source=mixes&tokens=lots")
        #expect(r.status == 400 && r.errorField == "tokens")
        r = try await s.get("/v1/runs?source=mixes&mix=code%3D-5")
        #expect(r.status == 400 && r.errorField == "mix")
        // A law of the two shares is drawn along each share through the fitted mixtures' commonest point.
        r = try await s.get("/v1/fits/curves?source=mixes&category=vqa_avg")
        let fit = try #require(SourceFits.newest(label: "mixes", in: s.store).first)
        let plot = try #require(((r.json["fits"] as? [[String: Any]])?.first)?["plot"] as? [String: Any])
        let curves = try #require(plot["curves"] as? [[String: Any]])
        let through = try JSONDecoder().decode(Mixture.self, from: JSONSerialization.data(withJSONObject: try #require(plot["curve_mixture"])))
        #expect(curves.compactMap { $0["axis"] as? String } == ["reasoning_share", "visual_share"])
        for c in curves {
            let along = c["axis"] as? String == "reasoning_share"
            for (x, v) in zip(c["x"] as! [Double], c["value"] as! [Double]) {
                let m = try Mixture(reasoningShare: along ? x : through.reasoningShare!, visualShare: along ? through.visualShare! : x)
                let law = fit.law.predict(params: 3e9, tokens: 50e9, mixture: m)
                #expect(abs(v - law) < 1e-9 * max(1, abs(law)))
            }
        }
        let points = try #require(plot["points"] as? [[String: Any]])
        #expect(points.count == 13 && points.filter { $0["in_fit"] as? Bool == true }.count == 11, "the two 7B/1T runs are outside the mixture law's fit")
        r = try await s.get("/v1/sources/nowhere")
        #expect(r.status == 404 && r.errorField == "label")
    }

    @Test func lawsSummaryGivesTheSpaceAndDefaultsPredictUses() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        var r = try await s.get("/v1/laws?source=known")
        #expect(r.status == 200 && r.json["space"] as? String == "weights")
        #expect(r.json["sources"] as? [String] == TextSource.allCases.map(\.name))
        let cats = (r.json["categories"] as? [[String: Any]])?.compactMap { $0["category"] as? String }
        #expect(cats == ["text_acc", "vqa_avg"])
        let presets = try #require(r.json["presets"] as? [[String: Any]])
        let balanced = try #require(presets.first { $0["name"] as? String == "balanced" })
        #expect((balanced["weights"] as? [String: Double])?["code"] == 35)
        r = try await s.get("/v1/laws?source=unknown")
        #expect(r.status == 404 && r.errorField == "source")
        r = try await s.get("/v1/laws")
        #expect(r.status == 400 && r.errorField == "source")
    }

    @Test func fitCurvesAreTheStoredLawEvaluated() async throws {
        let s = try await TestServer.start(storeLaws: true)
        defer { Task { await s.stop() } }
        let file = try ResultFile.read(path: repoRoot.appendingPathComponent("data/reference/paper-scaling.csv").path)
        try s.store.insertRuns(file.runs, label: "scaling", origin: "import")
        #expect(try await s.post("/v1/fits", json: #"{"source": "scaling", "category": "general"}"#).status == 200)
        let r = try await s.get("/v1/fits/curves?source=scaling&category=general")
        #expect(r.status == 200, "\(r.text.prefix(300))")
        let fit = try #require(SourceFits.newest(label: "scaling", in: s.store).first { $0.category == "general" })
        let entry = try #require((r.json["fits"] as? [[String: Any]])?.first)
        #expect(entry["plans"] as? Bool == true)
        let plot = try #require(entry["plot"] as? [String: Any])
        let points = try #require(plot["points"] as? [[String: Any]])
        #expect(points.count == r.json["runs"] as? Int && points.count > 10)
        let heldOut = try #require(fit.holdout?.params)
        for p in points {
            let n = p["params"] as! Double, d = p["tokens"] as! Double, score = p["score"] as! Double
            let law = fit.law.predict(params: n, tokens: d)
            #expect(abs((p["predicted"] as! Double) - law) < 1e-9 * max(1, abs(law)))
            #expect(abs((p["residual"] as! Double) - (score - law)) < 1e-9 * max(1, abs(law)))
            #expect(p["held_out"] as? Bool == (abs(n - heldOut) <= 1e-9 * heldOut), "the hold-out's size is marked")
        }
        let curves = try #require(plot["curves"] as? [[String: Any]])
        let overD = curves.filter { $0["axis"] as? String == "tokens" && $0["holdout_fit"] as? Bool == false }
        #expect(overD.count == Set(points.map { $0["params"] as! Double }).count, "one curve over D per fitted size")
        for c in curves where c["holdout_fit"] as? Bool == false {
            let xs = c["x"] as! [Double], values = c["value"] as! [Double], lows = c["low"] as! [Double], highs = c["high"] as! [Double]
            for i in xs.indices {
                let (n, d) = c["axis"] as? String == "tokens" ? (c["params"] as! Double, xs[i]) : (xs[i], c["tokens"] as! Double)
                let (v, lo, hi) = fit.law.predictInterval(params: n, tokens: d)
                #expect(abs(values[i] - v) < 1e-9 * max(1, abs(v)) && abs(lows[i] - lo) < 1e-9 * max(1, abs(lo)) && abs(highs[i] - hi) < 1e-9 * max(1, abs(hi)))
            }
        }
        #expect(curves.contains { $0["holdout_fit"] as? Bool == true && $0["params"] as? Double == heldOut }, "the hold-out's own law at its size")
        let missing = try await s.get("/v1/fits/curves?source=scaling&category=knowledge")
        #expect(missing.status == 404 && missing.errorField == "category" && missing.errorMessage.contains("general"))
        #expect(try await s.get("/v1/fits/curves?source=scaling").errorField == "category")
    }

    @Test func recommendExportsAreTheCommandLinesFormats() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        let body = #"{"source": "known", "objective": "vqa_avg", "params": "3B", "tokens": "50B", "constraints": ["text_acc>=53"], "export": true}"#
        let r = try await s.post("/v1/recommend", json: body)
        #expect(r.status == 200, "\(r.text.prefix(300))")
        var req = RecommendationRequest(objective: try Objective.parse("vqa_avg"), baseline: Mixture.preset("language_favorable")!, baselineName: "language_favorable")
        req.params = 3e9; req.tokens = 50e9
        req.constraints = [try ScoreConstraint.parse("text_acc>=53")]
        let recipe = try knownLaws().recommend(req)
        let exports = try #require(r.json["exports"] as? [String: String])
        #expect(exports["yaml"] == recipe.yaml())
        #expect(exports["megatron"] == (try recipe.megatron()))
        #expect(exports["json"] == (try recipe.json()))
        #expect((r.json["export_refusals"] as? [String: String])?.isEmpty == true)
        // Without `export` the answer is the recipe alone, as before.
        let plain = try await s.post("/v1/recommend", json: body.replacingOccurrences(of: #", "export": true"#, with: ""))
        #expect(plain.json["exports"] == nil && plain.json["weights"] != nil)
        let bad = try await s.post("/v1/recommend", json: body.replacingOccurrences(of: #""export": true"#, with: #""export": "yes""#))
        #expect(bad.status == 400 && bad.errorField == "export")
    }

    @Test func sweepUnitsFollowTheStoredRunsAndClaims() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        let spec = #"{"name":"watch","label":"watched","encoder":"object","seeds":[1],"designs":[{"name":"d","sizes":["xs"],"mixtures":["balanced","web_crawl","language_favorable"],"tokens":"10K","checkpoints":["10K"]}]}"#
        let record = try s.store.createSweep(SweepRecord(name: "watch", spec: spec, label: "watched", totalRuns: 3))
        let id = record.id!
        var list = try await s.get("/v1/sweeps")
        #expect((list.json["sweeps"] as? [[String: Any]])?.first?["name"] as? String == "watch")
        var r = try await s.get("/v1/sweeps/\(id)/units")
        var units = try #require(r.json["units"] as? [[String: Any]])
        #expect(units.count == 3 && units.allSatisfy { $0["state"] as? String == "pending" })
        // A worker of the sweep's newest invocation takes unit 1; unit 0's run is stored.
        try s.store.updateSweep(id: id, status: "running")
        #expect(try s.store.claimSweepUnit(id: id, attempt: "a1", unit: units[1]["key"] as! String, worker: 1))
        let name = (units[0]["runs"] as! [String])[0]
        try s.store.insertRuns([NewRun(name: name, params: 20560, tokens: 10_000, seed: 1, mixture: Mixture.preset("balanced"),
                                       scores: ["vqa_avg": 30], durationSeconds: 12)], label: "watched", origin: "trainer", sweepId: id)
        r = try await s.get("/v1/sweeps/\(id)/units")
        units = try #require(r.json["units"] as? [[String: Any]])
        #expect(units.map { $0["state"] as? String } == ["done", "running", "pending"])
        #expect(units[0]["seconds"] as? Double == 12 && units[1]["worker"] as? Int == 1)
        #expect((r.json["counts"] as? [String: Int]) == ["done": 1, "running": 1, "pending": 1, "failed": 0, "cancelled": 0])
        // The sweep fails: the unit in progress failed, and the message says why.
        try s.store.updateSweep(id: id, status: "failed", message: .some("a worker exited with status 1"))
        r = try await s.get("/v1/sweeps/\(id)/units")
        units = try #require(r.json["units"] as? [[String: Any]])
        #expect(units.map { $0["state"] as? String } == ["done", "failed", "pending"] && r.json["message"] as? String == "a worker exited with status 1")
        list = try await s.get("/v1/sweeps")
        #expect((list.json["sweeps"] as? [[String: Any]])?.first?["completed_runs"] as? Int == 1)
        #expect(try await s.get("/v1/sweeps/999/units").status == 404)
    }

    func matches(_ pattern: String, in text: String) -> [String] {
        let re = try! NSRegularExpression(pattern: pattern)
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { m in
            Range(m.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
