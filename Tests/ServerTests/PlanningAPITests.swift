import Foundation
import Trainer
import Laws
import Planner
import Store
import Sweeps
import Testing
import VisionMixCore
@testable import Server

@Suite struct PlanningAPI {
    @Test func predictMatchesThePlannerForSpecAndObjectMixes() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        var r = try await s.post("/v1/predict", json: #"{"source": "known", "mix": "balanced", "params": "7B", "tokens": "50B"}"#)
        #expect(r.status == 200, "\(r.text)")
        let expected = try knownLaws().predictAll(params: 7e9, tokens: 5e10, mixture: Mixture.preset("balanced")!)
        let scores = try #require(r.json["scores"] as? [String: [String: Any]])
        #expect(Set(scores.keys) == ["vqa_avg", "text_acc"])
        #expect(abs((scores["vqa_avg"]?["value"] as? Double ?? 0) - expected.scores["vqa_avg"]!.value) < 1e-9)
        #expect(scores["vqa_avg"]?["family"] as? String == "known" && scores["vqa_avg"]?["extrapolated"] as? Bool == false)
        #expect(r.json["params"] as? Double == 7e9 && r.json["source"] as? String == "known")
        #expect(r.json["reasoning_share"] != nil && r.json["mixture"] is [String: Any])

        // The same mixture as an object of percentages gives the same answer.
        r = try await s.post("/v1/predict", json: #"""
            {"source": "known", "params": 7e9, "tokens": 5e10,
             "mix": {"web_crawl": 40, "encyclopedia": 8, "academia": 5, "literature": 2, "math": 10, "code": 35}}
            """#)
        #expect(r.status == 200 && abs(((r.json["scores"] as? [String: [String: Any]])?["vqa_avg"]?["value"] as? Double ?? 0) - expected.scores["vqa_avg"]!.value) < 1e-9)
        r = try await s.post("/v1/predict", json: #"{"source": "known", "mix": "code=1", "params": 2e10, "tokens": 1e9}"#)
        #expect(r.status == 200 && (r.json["scores"] as? [String: [String: Any]])?["text_acc"]?["extrapolated"] as? Bool == true)
    }

    @Test func badPredictRequestsAreNamed() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        let cases: [(String, Int, String)] = [
            (#"{"source": "nope", "mix": "balanced", "params": 1e9, "tokens": 1e9}"#, 404, "source"),
            (#"{"mix": "balanced", "params": 1e9, "tokens": 1e9}"#, 400, "source"),
            (#"{"source": 3, "mix": "balanced", "params": 1e9, "tokens": 1e9}"#, 400, "source"),
            (#"{"source": "known", "params": 1e9, "tokens": 1e9}"#, 400, "mix"),
            (#"{"source": "known", "mix": "code=-5,math=10", "params": 1e9, "tokens": 1e9}"#, 400, "mix"),
            (#"{"source": "known", "mix": {"code": -5, "math": 10}, "params": 1e9, "tokens": 1e9}"#, 400, "mix"),
            (#"{"source": "known", "mix": "code=NaN,math=10", "params": 1e9, "tokens": 1e9}"#, 400, "mix"),
            (#"{"source": "known", "mix": {"code": 0, "math": 0}, "params": 1e9, "tokens": 1e9}"#, 400, "mix"),
            (#"{"source": "known", "mix": {"cod": 50, "math": 50}, "params": 1e9, "tokens": 1e9}"#, 400, "mix.cod"),
            (#"{"source": "known", "mix": {"code": "half"}, "params": 1e9, "tokens": 1e9}"#, 400, "mix.code"),
            (#"{"source": "known", "mix": [1, 2], "params": 1e9, "tokens": 1e9}"#, 400, "mix"),
            (#"{"source": "known", "mix": "reasoning=60,visual=15", "params": 1e9, "tokens": 1e9}"#, 400, "mix"),
            (#"{"source": "known", "mix": "balanced", "params": true, "tokens": 1e9}"#, 400, "params"),
            (#"{"source": "known", "mix": "balanced", "params": -1, "tokens": 1e9}"#, 400, "params"),
            (#"{"source": "known", "mix": "balanced", "params": "lots", "tokens": 1e9}"#, 400, "params"),
            (#"{"source": "known", "mix": "balanced", "params": 1e9}"#, 400, "tokens"),
            (#"{"source": "known", "mix": "balanced", "params": 1e9, "tokens": 1e9, "file": "/etc/passwd"}"#, 400, "file"),
            (#"["source"]"#, 400, "body"),
            (#"{"source": "known", "#, 400, "body"),
            ("", 400, "body"),
        ]
        for (body, status, field) in cases {
            let r = try await s.post("/v1/predict", json: body)
            #expect(r.status == status && r.errorField == field, "\(body): \(r.status) \(r.text)")
        }
    }

    @Test func recommendReturnsARecipe() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        let r = try await s.post("/v1/recommend", json: #"""
            {"source": "known", "objective": "vqa_avg", "constraints": ["text_acc>=52"], "bounds": "code<=40,literature>=2",
             "available": {"code": "2T"}, "max_epochs": 4, "baseline": "balanced", "params": "1B", "tokens": "100B",
             "candidates": 500, "seed": 7}
            """#)
        #expect(r.status == 200, "\(r.text)")
        let weights = try #require(r.json["weights"] as? [String: Double])
        #expect(abs(weights.values.reduce(0, +) - 1) < 1e-9 && (weights["code"] ?? 1) <= 0.4 + 1e-9 && (weights["literature"] ?? 0) >= 0.02 - 1e-9)
        #expect(r.json["objective"] as? String == "vqa_avg" && r.json["space"] as? String == "weights")
        #expect((r.json["baseline"] as? [String: Any])?["name"] as? String == "balanced")
        #expect(r.json["objective_value"] is Double && r.json["pareto"] is [Any] && r.json["candidates_evaluated"] as? Int ?? 0 > 0)
        let textAcc = try #require((r.json["scores"] as? [String: [String: Any]])?["text_acc"]?["value"] as? Double)
        #expect(textAcc >= 52 - 1e-6)

        // Bounds as an object mean the same as the string form.
        let o = try await s.post("/v1/recommend", json: #"""
            {"source": "known", "objective": "vqa_avg", "bounds": {"code": {"max": 40}, "literature": {"min": 2}}, "params": 1e9, "tokens": 1e11, "candidates": 300}
            """#)
        #expect(o.status == 200 && ((o.json["weights"] as? [String: Double])?["code"] ?? 1) <= 0.4 + 1e-9, "\(o.text)")
    }

    @Test func badRecommendRequestsAreNamed() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        let base = #""source": "known", "params": 1e9, "tokens": 1e11, "candidates": 300"#
        let cases: [(String, Int, String)] = [
            (#"{\#(base)}"#, 400, "objective"),
            (#"{\#(base), "objective": "half*vqa_avg"}"#, 400, "objective"),
            (#"{\#(base), "objective": "general"}"#, 404, "objective"),
            (#"{\#(base), "objective": "vqa_avg", "constraints": ["text_acc=50"]}"#, 400, "constraints[0]"),
            (#"{\#(base), "objective": "vqa_avg", "constraints": ["text_acc>=50", 3]}"#, 400, "constraints[1]"),
            (#"{\#(base), "objective": "vqa_avg", "constraints": ["ppl<=10"]}"#, 404, "constraints[0]"),
            (#"{\#(base), "objective": "vqa_avg", "constraints": ["text_acc>=90"]}"#, 422, "constraints"),
            (#"{\#(base), "objective": "vqa_avg", "bounds": "code>=70,math>=40"}"#, 422, "bounds"),
            (#"{\#(base), "objective": "vqa_avg", "bounds": "code<=140"}"#, 400, "bounds"),
            (#"{\#(base), "objective": "vqa_avg", "bounds": "cobol<=40"}"#, 400, "bounds"),
            (#"{\#(base), "objective": "vqa_avg", "bounds": {"code": {"most": 4}}}"#, 400, "bounds.code.most"),
            (#"{\#(base), "objective": "vqa_avg", "available": "code=lots"}"#, 400, "available"),
            (#"{\#(base), "objective": "vqa_avg", "available": {"code": -1}}"#, 400, "available.code"),
            (#"{\#(base), "objective": "vqa_avg", "max_epochs": 0}"#, 400, "max_epochs"),
            (#"{\#(base), "objective": "vqa_avg", "baseline": {"code": -1}}"#, 400, "baseline"),
            (#"{\#(base), "objective": "vqa_avg", "language_category": "ppl"}"#, 404, "language_category"),
            (#"{"source": "known", "objective": "vqa_avg", "params": 1e9, "tokens": 1e11, "candidates": 5}"#, 400, "candidates"),
            (#"{"source": "known", "objective": "vqa_avg", "tokens": 1e11}"#, 400, "params"),
            (#"{\#(base), "objective": "vqa_avg", "seed": 1.5}"#, 400, "seed"),
            (#"{\#(base), "objective": "vqa_avg", "allow_extrapolation": "yes"}"#, 400, "allow_extrapolation"),
        ]
        for (body, status, field) in cases {
            let r = try await s.post("/v1/recommend", json: body)
            #expect(r.status == status && r.errorField == field, "\(body): \(r.status) \(r.text)")
        }
    }

    /// `POST /v1/design` answers what the planner designs for the same request, and names each
    /// mistake by its field.
    @Test func designAnswersAsThePlannerAndNamesItsMistakes() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        let base = #""source": "known", "objective": "vqa_avg", "params": 1e9, "tokens": 1e11, "candidates": 300, "bounds": "code<=40""#
        let r = try await s.post("/v1/design", json: #"{\#(base), "runs": 3, "noise": 0.5}"#)
        #expect(r.status == 200, "\(r.text)")
        let runs = try #require(r.json["runs"] as? [[String: Any]])
        #expect(r.json["strategy"] as? String == "space-filling" && runs.count == 3)
        #expect(runs.allSatisfy { $0["role"] as? String == "space_filling" && (($0["mixture"] as? [String: Any])?["weights"] as? [String: Double])?["code"] ?? 1 <= 0.4 + 1e-9 })

        let laws = knownLaws()
        var rec = RecommendationRequest(objective: try Objective.parse("vqa_avg"), baseline: Mixture.preset(RecommendationRequest.defaultBaseline(for: laws.catalogue), catalogue: laws.catalogue)!,
                                        baselineName: RecommendationRequest.defaultBaseline(for: laws.catalogue))
        rec.params = 1e9; rec.tokens = 1e11; rec.candidates = 300; rec.bounds = try MixtureBound.parseList("code<=40")
        var req = DesignRequest(recommendation: rec, runs: 3, noise: 0.5)
        req.targetSize = DesignScale.name(params: 1e9)
        let planned = try laws.designRuns(req)
        #expect(runs.map { $0["reason"] as? String } == planned.runs.map(\.reason))
        #expect(r.json["expected_regret"] as? Double == planned.expectedRegret)

        let byRegret = try await s.post("/v1/design", json: #"{\#(base), "runs": 2, "noise": 0.5, "strategy": "regret", "replicates": 10}"#)
        #expect(byRegret.status == 200 && byRegret.json["strategy"] as? String == "regret" && byRegret.json["replicates"] as? Int == 10, "\(byRegret.text)")

        let cases: [(String, Int, String)] = [
            (#"{\#(base), "noise": 0.5}"#, 400, "runs"),
            (#"{\#(base), "runs": 0, "noise": 0.5}"#, 400, "runs"),
            (#"{\#(base), "runs": 201, "noise": 0.5}"#, 400, "runs"),
            (#"{\#(base), "runs": 2, "noise": 0.5, "strategy": "random"}"#, 400, "strategy"),
            (#"{\#(base), "runs": 2, "noise": -1}"#, 400, "noise"),
            (#"{\#(base), "runs": 2, "noise": 0.5, "replicates": 1}"#, 400, "replicates"),
            (#"{\#(base), "runs": 2, "noise": 0.5, "export": true}"#, 400, "export"),
            (#"{\#(base), "runs": 2}"#, 422, "noise"),
            (#"{"source": "known", "objective": "general", "runs": 2, "noise": 0.5, "params": 1e9, "tokens": 1e11}"#, 404, "objective"),
        ]
        for (body, status, field) in cases {
            let bad = try await s.post("/v1/design", json: body)
            #expect(bad.status == status && bad.errorField == field, "\(body): \(bad.status) \(bad.text)")
        }
    }

    @Test func transferAnswersAndNamesWhatIsMissing() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        // Two sizes that order three mixtures the same way, and a third size with one mixture.
        var runs: [NewRun] = []
        for (i, m) in ["balanced", "language_favorable", "web_crawl"].enumerated() {
            for (params, base) in [(1e8, 10.0), (1e9, 30.0)] {
                runs.append(NewRun(params: params, tokens: 1e10, seed: 1, mixture: Mixture.preset(m)!, scores: ["vqa_avg": base + Double(i)]))
            }
        }
        runs.append(NewRun(params: 1e10, tokens: 1e10, seed: 1, mixture: Mixture.preset("balanced")!, scores: ["vqa_avg": 50]))
        try s.store.insertRuns(runs, label: "small", origin: "import")
        let r = try await s.get("/v1/transfer?source=small&category=vqa_avg")
        #expect(r.status == 200, "\(r.text)")
        let comparisons = try #require(r.json["comparisons"] as? [[String: Any]])
        #expect(comparisons.count == 3 && r.json["resamples"] as? Int == RankBootstrap.defaultResamples)
        let compared = try #require(comparisons.first { $0["reason"] is NSNull })
        #expect(((compared["agreement"] as? [String: Any])?["spearman"] as? [String: Any])?["value"] as? Double == 1)
        #expect(comparisons.filter { ($0["reason"] as? String)?.contains("1 mixture measured at both") == true }.count == 2)

        let cases: [(String, Int, String)] = [
            ("/v1/transfer?category=vqa_avg", 400, "source"),
            ("/v1/transfer?source=small", 400, "category"),
            ("/v1/transfer?source=small&category=vqa%20avg", 400, "category"),
            ("/v1/transfer?source=nobody&category=vqa_avg", 404, "source"),
            ("/v1/transfer?source=small&category=general", 404, "category"),
        ]
        for (path, status, field) in cases {
            let e = try await s.get(path)
            #expect(e.status == status && e.errorField == field, "\(path): \(e.status) \(e.text)")
        }
    }

    /// Found by schemathesis: a category ending in e before + or - was read as an exponent.
    @Test func objectivesWithCategoriesEndingInE() throws {
        let o = try Objective.parse("0.5*knowledge+0.5*general-ocr_chart")
        #expect(o.terms.map(\.category) == ["knowledge", "general", "ocr_chart"] && o.terms.map(\.weight) == [0.5, 0.5, -1])
        #expect(try Objective.parse("1e-1*general+2E+0*vqa_avg").terms.map(\.weight) == [0.1, 2])
    }

    @Test func withoutALawProviderPlanningSaysSo() async throws {
        let s = try await TestServer.start(provider: nil)
        defer { Task { await s.stop() } }
        let r = try await s.post("/v1/predict", json: #"{"source": "paper", "mix": "balanced", "params": 1e9, "tokens": 1e9}"#)
        #expect(r.status == 404 && r.errorField == "source" && r.errorMessage.contains("no fitted laws"))
    }

    /// Property: garbage of every JSON kind in every field of every route is a 4xx, never a 5xx.
    @Test func noInputProducesA5xx() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        let values = ["null", "true", "-1", "0", "1e308", "\"\"", "\"7B\"", "\"web_crawl=NaN\"", "[]", "{}", "[\"a\"]", "{\"code\": 1e308}", "\"balanced\""]
        let routes: [(String, [String: String], Set<String>)] = [
            ("/v1/predict", ["source": "\"known\"", "mix": "\"balanced\"", "params": "1e9", "tokens": "1e10"], PlanningRoutes.predictFields),
            ("/v1/recommend", ["source": "\"known\"", "objective": "\"vqa_avg\"", "params": "1e9", "tokens": "1e10", "candidates": "100"],
             PlanningRoutes.recommendFields),
        ]
        var seen = 0
        for (path, base, fields) in routes {
            for f in fields.sorted() {
                for v in values {
                    var b = base
                    b[f] = v
                    let body = "{" + b.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
                    let r = try await s.post(path, json: body)
                    #expect(r.status < 500, "\(path) \(f)=\(v): \(r.status) \(r.text)")
                    seen += 1
                }
            }
        }
        for v in values {
            let r = try await s.post("/v1/runs?source=x", json: "[{\"params\": \(v), \"tokens\": \(v), \"mixture\": \(v), \"scores\": \(v)}]")
            #expect(r.status < 500, "runs \(v): \(r.status) \(r.text)")
        }
        #expect(seen > 200)
    }
}

@Suite struct MetricsDashboardAndSpec {
    @Test func prometheusMetricsCountRequests() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        _ = try await s.get("/v1/health")
        _ = try await s.get("/v1/health")
        _ = try await s.get("/v1/nowhere")
        _ = try await s.post("/v1/runs?source=paper", json: twoRuns)
        let r = try await s.get("/v1/metrics")
        #expect(r.status == 200 && r.headers["content-type"]?.hasPrefix("text/plain") == true)
        let t = r.text
        #expect(t.contains(#"visionmix_http_requests_total{method="GET",route="/v1/health",status="200"} 2"#), "\(t)")
        #expect(t.contains(#"visionmix_http_requests_total{method="GET",route="unmatched",status="404"} 1"#))
        #expect(t.contains(#"visionmix_http_request_duration_seconds_bucket{route="/v1/health",le="+Inf"} 2"#))
        #expect(t.contains("# TYPE visionmix_http_request_duration_seconds histogram"))
        #expect(t.contains(#"visionmix_runs_stored{source="paper"} 2"#) && t.contains("visionmix_runs_stored_total 2"))
        #expect(t.contains("visionmix_runs_imported_total 2"))
        let start = t.components(separatedBy: "\n").first { $0.hasPrefix("visionmix_process_start_time_seconds ") }
        #expect(abs((start.flatMap { Double($0.split(separator: " ")[1]) } ?? 0) - Date().timeIntervalSince1970) < 600, "full precision")
    }

    @Test func dashboardDrawsScalingCurves() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        var r = try await s.get("/")
        #expect(r.status == 200 && r.headers["content-type"]?.hasPrefix("text/html") == true && r.text.contains("no runs yet"))
        let file = try ResultFile.read(path: repoRoot.appendingPathComponent("data/reference/paper-scaling.csv").path)
        try s.store.insertRuns(file.runs, label: "paper_scaling", origin: "import")
        r = try await s.get("/")
        let html = r.text
        #expect(html.contains("paper_scaling") && html.contains("<svg") && html.contains("<polyline"))
        #expect(html.contains(">general</text>") && html.contains(">340M</text>"), "one line per model size, labelled")
        #expect(!html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http"), "no external assets")
        #expect(!html.contains("<script src") && !html.contains("<link"))
    }

    /// The router is built from `VisionMixServer.routes`; the spec must list exactly those.
    @Test func routesAgreeWithTheOpenAPISpec() throws {
        let yaml = try String(contentsOf: repoRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        var spec = Set<String>()
        var inPaths = false, path: String?
        for line in yaml.components(separatedBy: "\n") {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line.hasPrefix("paths:"); continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") { path = String(line.dropFirst(2).dropLast()) }
            let t = line.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("    "), !line.hasPrefix("     "), let p = path,
               ["get:", "post:", "put:", "delete:", "patch:"].contains(t) {
                spec.insert("\(t.dropLast().uppercased()) \(p.replacingOccurrences(of: "'", with: ""))")
            }
        }
        let served = Set(VisionMixServer.routes.map { "\($0.method.rawValue) \($0.path)" })
        #expect(served == spec, "only served: \(served.subtracting(spec)); only in spec: \(spec.subtracting(served))")
        #expect(served.count == VisionMixServer.routes.count, "a route is registered twice")
        // A sweep spec's encoder is checked against the encoders that exist; the spec says which.
        #expect(yaml.contains("encoder: {type: string, enum: [\(VisionEncoders.names.joined(separator: ", "))]"))
        // So is its profile, in the spec and in each design (null: the default).
        let profiles = "enum: [\(SweepSpec.profiles.joined(separator: ", ")), null]"
        #expect(yaml.components(separatedBy: profiles).count == 3, "both profile fields list \(SweepSpec.profiles)")
    }
}
