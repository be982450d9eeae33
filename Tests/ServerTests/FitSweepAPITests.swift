import Fits
import Foundation
import Store
import Testing
import VisionMixCore
@testable import Server
#if canImport(Glibc)
import Glibc
#endif

/// The paper's mixture results (one size and budget, 13 mixtures) imported as `paper`.
func seedPaper(_ s: TestServer, label: String = "paper") throws {
    let file = try ResultFile.read(path: repoRoot.appendingPathComponent("data/reference/paper-mixtures.csv").path)
    _ = try s.store.insertRuns(file.runs, label: label, origin: "import")
}

/// Polls a sweep until `done` holds for its JSON (the child process works on its own time).
func waitForSweep(_ s: TestServer, _ id: Int, seconds: Double = 60, until done: ([String: Any]) -> Bool) async throws -> [String: Any] {
    let deadline = Date().addingTimeInterval(seconds)
    var last: [String: Any] = [:]
    while Date() < deadline {
        last = try await s.get("/v1/sweeps/\(id)").json
        if done(last) { return last }
        try await Task.sleep(nanoseconds: 200_000_000)
    }
    return last
}

@Suite struct FitsAPI {
    @Test func refitThenListTheNewestFits() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        try seedPaper(s)
        var r = try await s.get("/v1/fits?source=paper")
        #expect(r.status == 404 && r.errorField == "source", "\(r.text)")

        r = try await s.post("/v1/fits", json: #"{"source": "paper", "category": "vqa_avg", "family": "auto"}"#)
        #expect(r.status == 200, "\(r.text)")
        let fits = try #require(r.json["fits"] as? [[String: Any]])
        #expect(fits.count == 1 && fits[0]["category"] as? String == "vqa_avg" && fits[0]["source"] as? String == "paper")
        #expect((r.json["not_fitted"] as? [Any])?.isEmpty == true)
        // The FitResult keys of `fit --json` (FitJSON), law included.
        #expect(Set(["category", "family", "formula", "parameters", "intervals", "train", "diagnostics", "law"]).isSubset(of: Set(fits[0].keys)))
        #expect(try SourceFits.newest(label: "paper", in: s.store).map(\.category) == ["vqa_avg"])

        r = try await s.get("/v1/fits?source=paper")
        #expect(r.status == 200, "\(r.text)")
        let listed = try #require(try JSONSerialization.jsonObject(with: r.body) as? [[String: Any]])
        #expect(listed.map { $0["category"] as? String } == ["vqa_avg"])
        #expect(listed[0]["family"] as? String == fits[0]["family"] as? String)

        // At a chosen size: the paper's two 7B runs alone cannot carry a mixture law; its 3B runs can.
        r = try await s.post("/v1/fits", json: #"{"source": "paper", "category": "vqa_avg", "family": "auto-mixture", "params": "3B", "tokens": "50B"}"#)
        #expect(r.status == 200, "\(r.text)")
        let at3B = try #require((r.json["fits"] as? [[String: Any]])?.first)
        #expect((at3B["train"] as? [String: Any])?["points"] as? Int == 11, "\(at3B["train"] ?? "")")
    }

    @Test func aLawIsFittedNearAMixtureOnRequest() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        try seedPaper(s)
        let slice = #""source": "paper", "category": "vqa_avg", "family": "quadratic_shares", "params": "3B", "tokens": "50B""#
        var r = try await s.post("/v1/fits", json: "{\(slice)}")
        #expect(r.status == 200, "\(r.text)")
        let everywhere = try #require((r.json["fits"] as? [[String: Any]])?.first)
        #expect(everywhere["local"] == nil)
        r = try await s.post("/v1/fits", json: "{\(slice), \"near\": \"reasoning=30,visual=20\", \"bandwidth\": 0.1}")
        #expect(r.status == 200, "\(r.text)")
        let near = try #require((r.json["fits"] as? [[String: Any]])?.first)
        #expect((near["local"] as? [String: Any])?["bandwidth"] as? Double == 0.1, "\(near["local"] ?? "")")
        #expect((near["notes"] as? [String] ?? []).contains { $0.hasPrefix("fitted near reasoning share 30.0% · visual share 20.0%") }, "\(near["notes"] ?? "")")
        // The kernel weights reach the fit: the same runs give another law.
        let a = try #require(everywhere["parameters"] as? [String: Double]), b = try #require(near["parameters"] as? [String: Double])
        #expect(a.keys == b.keys && a.contains { abs($0.value - b[$0.key]!) > 1e-6 * max(1, abs($0.value)) }, "\(a) \(b)")
        #expect(try SourceFits.newest(label: "paper", in: s.store).first?.local?.bandwidth == 0.1)
    }

    @Test func aRecommendationRefitsItsQuadraticNearTheRecipeOnRequest() async throws {
        let s = try await TestServer.start(storeLaws: true)
        defer { Task { await s.stop() } }
        try seedPaper(s)
        var r = try await s.post("/v1/fits", json: #"{"source": "paper", "category": "vqa_avg", "family": "quadratic_shares", "params": "3B", "tokens": "50B"}"#)
        #expect(r.status == 200, "\(r.text)")
        r = try await s.post("/v1/recommend", json: #"{"source": "paper", "objective": "vqa_avg", "local_bandwidth": 9}"#)
        #expect(r.status == 400 && r.errorField == "local_bandwidth", "\(r.text)")
        r = try await s.post("/v1/recommend", json: #"{"source": "paper", "objective": "vqa_avg"}"#)
        #expect(r.status == 200, "\(r.text)")
        let global = try #require(r.json["reasoning_share"] as? Double)
        r = try await s.post("/v1/recommend", json: #"{"source": "paper", "objective": "vqa_avg", "local_bandwidth": 0.2}"#)
        #expect(r.status == 200, "\(r.text)")
        // The refit is stored, centred on the recipe of the law fitted to every run alike.
        let newest = try #require(try SourceFits.newest(label: "paper", in: s.store).first { $0.category == "vqa_avg" })
        let centre = try #require(newest.local?.centre.reasoningShare)
        #expect(newest.local?.bandwidth == 0.2 && abs(centre - global) < 1e-9, "\(String(describing: newest.local)) against \(global)")
    }

    /// `solver` picks the least-squares solver as `fit --solver` does: GSL's trust region and
    /// the fitter's own reach the same law of the paper's mixtures, each with its own rounding.
    @Test func aFitTakesTheSolverTheCLITakes() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        try seedPaper(s)
        var parameters: [[Double]] = []
        for solver in ["gsl", "lm"] {
            let r = try await s.post("/v1/fits", json: #"{"source": "paper", "category": "vqa_avg", "family": "mixing_exponential", "solver": "\#(solver)"}"#)
            #expect(r.status == 200, "\(r.text)")
            let fit = try #require((r.json["fits"] as? [[String: Any]])?.first)
            parameters.append(try #require((fit["law"] as? [String: Any])?["parameters"] as? [Double]))
        }
        #expect(parameters[0].count == parameters[1].count)
        // The two solvers round differently, so a request that ignored `solver` would give one
        // law twice, bit for bit.
        #expect(parameters[0] != parameters[1])
        for (a, b) in zip(parameters[0], parameters[1]) { #expect(abs(a - b) <= 1e-3 * max(abs(b), 1e-3), "\(parameters)") }
    }

    @Test func refitEveryCategoryReportsTheOnesThatCannotBeFitted() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        try seedPaper(s)
        // "category" defaults to all; categories the CSV leaves mostly empty may be refused, not fatal.
        let r = try await s.post("/v1/fits", json: #"{"source": "paper"}"#)
        #expect(r.status == 200, "\(r.text)")
        let fitted = Set((r.json["fits"] as? [[String: Any]] ?? []).compactMap { $0["category"] as? String })
        let notFitted = r.json["not_fitted"] as? [[String: Any]] ?? []
        #expect(fitted.contains("vqa_avg") && fitted.contains("text_acc"), "\(fitted)")
        for n in notFitted { #expect(n["category"] is String && !((n["reason"] as? String) ?? "").isEmpty) }
        #expect(try Set(SourceFits.newest(label: "paper", in: s.store).map(\.category)) == fitted)
    }

    @Test func badFitRequestsAreNamed() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        try seedPaper(s)
        _ = try s.store.insertRuns(try ResultFile.parseJSON(Data(twoRuns.utf8), name: "t", defaultMixture: nil).runs, label: "tiny", origin: "import")
        let cases: [(String, Int, String)] = [
            (#"{"source": "paper", "family": "cubic"}"#, 400, "family"),
            (#"{"source": "paper", "family": 3}"#, 400, "family"),
            (#"{"category": "vqa_avg"}"#, 400, "source"),
            (#"{"source": "../etc"}"#, 400, "source"),
            (#"{"source": "paper", "category": "a b"}"#, 400, "category"),
            (#"{"source": "paper", "fits_dir": "/tmp"}"#, 400, "fits_dir"),
            (#"{"source": "nowhere"}"#, 404, "source"),
            (#"{"source": "paper", "category": "no_such_score"}"#, 404, "category"),
            (#"{"source": "paper", "category": "vqa_avg", "params": "9B"}"#, 404, "params"),
            (#"{"source": "paper", "category": "vqa_avg", "params": "3B", "tokens": "1T"}"#, 404, "tokens"),
            (#"{"source": "paper", "category": "vqa_avg", "params": -3}"#, 400, "params"),
            (#"{"source": "paper", "category": "vqa_avg", "near": "balanced"}"#, 400, "family"),
            (#"{"source": "paper", "category": "vqa_avg", "family": "kernel_ridge", "near": "balanced"}"#, 400, "family"),
            (#"{"source": "paper", "category": "vqa_avg", "family": "quadratic_shares", "bandwidth": 0.2}"#, 400, "bandwidth"),
            (#"{"source": "paper", "category": "vqa_avg", "family": "quadratic_shares", "near": "balanced", "bandwidth": 3}"#, 400, "bandwidth"),
            (#"{"source": "paper", "category": "vqa_avg", "family": "quadratic_shares", "near": "no_such_mix"}"#, 400, "near"),
            (#"{"source": "paper", "category": "vqa_avg", "solver": "minpack"}"#, 400, "solver"),
            (#"{"source": "paper", "category": "vqa_avg", "solver": 2}"#, 400, "solver"),
            // Two runs cannot identify any law: refused with the reason, nothing stored.
            (#"{"source": "tiny", "category": "vqa_avg"}"#, 422, "category"),
            (#"{"source": "tiny", "category": "all"}"#, 422, "category"),
        ]
        for (body, status, field) in cases {
            let r = try await s.post("/v1/fits", json: body)
            #expect(r.status == status && r.errorField == field, "\(body): \(r.status) \(r.text)")
            if status == 422 { #expect(r.errorMessage.contains("points") || r.errorMessage.contains("family"), "\(r.text)") }
        }
        for (query, status) in [("", 400), ("?source=", 400), ("?source=a-b", 400), ("?source=nowhere", 404)] {
            let r = try await s.get("/v1/fits\(query)")
            #expect(r.status == status && r.errorField == "source", "\(query): \(r.status) \(r.text)")
        }
        #expect(try SourceFits.newest(label: "tiny", in: s.store).isEmpty && SourceFits.newest(label: "paper", in: s.store).isEmpty)
    }
}

@Suite struct SweepsAPI {
    static let spec = #"""
        {"name": "tiny_api", "label": "tiny_api", "encoder": "object", "seeds": [1], "profile": "tiny",
         "designs": [{"name": "d", "sizes": ["xs"], "mixtures": ["balanced"], "tokens": "10K", "checkpoints": ["5K"]}]}
        """#

    /// The tiny spec at a budget that keeps its one run busy for a while, to cancel it mid-run.
    static let longSpec = spec.replacingOccurrences(of: "tiny_api", with: "long_api")
        .replacingOccurrences(of: #""tokens": "10K", "checkpoints": ["5K"]"#, with: #""tokens": "20M", "checkpoints": ["20M"]"#)

    @Test func aSweepStartedOverHTTPRunsToCompletion() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: debugBinary), "build with `swift build --build-tests` first")
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        let r = try await s.post("/v1/sweeps", json: #"{"spec": \#(Self.spec)}"#)
        #expect(r.status == 202, "\(r.text)")
        let id = try #require(r.json["sweep_id"] as? Int)
        #expect(r.headers["location"] == "/v1/sweeps/\(id)")
        #expect(r.json["name"] as? String == "tiny_api" && r.json["total_runs"] as? Int == 1 && r.json["completed_runs"] as? Int == 0)
        #expect(["pending", "running"].contains(r.json["status"] as? String ?? ""), "\(r.text)")
        // Same keys as `sweep status --json`.
        #expect(Set(r.json.keys).isSubset(of: ["sweep_id", "name", "label", "status", "total_runs", "completed_runs", "elapsed_seconds", "eta_seconds", "message"]))

        let done = try await waitForSweep(s, id, seconds: 120) { !["pending", "running"].contains($0["status"] as? String ?? "") }
        #expect(done["status"] as? String == "complete" && done["completed_runs"] as? Int == 1, "\(done)")
        let stored = try s.store.runs(RunFilter(source: "tiny_api"))
        // One run, a row per checkpoint (5K, and the final 10K).
        #expect(stored.map(\.tokens).sorted() == [5_000, 10_000] && Set(stored.compactMap(\.name)).count == 1
                && stored.allSatisfy { $0.status == "complete" && !$0.scores.isEmpty }, "\(stored.map { ($0.name ?? "", $0.status, $0.scores.count) })")
        // Finished: nothing to cancel.
        let again = try await s.delete("/v1/sweeps/\(id)")
        #expect(again.status == 409 && again.errorField == "id", "\(again.text)")
    }

    @Test func aRunningSweepIsCancelled() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: debugBinary), "build with `swift build --build-tests` first")
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        let r = try await s.post("/v1/sweeps", json: #"{"spec": \#(Self.longSpec)}"#)
        #expect(r.status == 202, "\(r.text)")
        let id = try #require(r.json["sweep_id"] as? Int)
        let running = try await waitForSweep(s, id, seconds: 30) { ($0["status"] as? String) != "pending" }
        try #require(running["status"] as? String == "running", "\(running)")
        let c = try await s.delete("/v1/sweeps/\(id)")
        #expect(c.status == 200 && c.json["status"] as? String == "cancelled", "\(c.text)")
        _ = try await waitForSweep(s, id, seconds: 10) { _ in !processAlive(try? s.store.sweep(id: Int64(id))?.pid) }
        let after = try await s.get("/v1/sweeps/\(id)").json
        #expect(after["status"] as? String == "cancelled" && after["completed_runs"] as? Int == 0, "\(after)")
        #expect(try s.store.runs(RunFilter(source: "long_api")).isEmpty)
        let again = try await s.delete("/v1/sweeps/\(id)")
        #expect(again.status == 409 && again.errorField == "id", "\(again.text)")
    }

    @Test func aRunningSweepOfTheSameNameIsAConflict() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        // A `quick` sweep recorded as running in a live process (this one), as `sweep run` leaves it.
        let record = try s.store.createSweep(SweepRecord(name: "quick", spec: Self.spec.replacingOccurrences(of: "tiny_api", with: "quick"),
                                                         label: "quick", totalRuns: 1))
        try s.store.updateSweep(id: record.id!, status: "running", pid: .some(Int(getpid())))
        let r = try await s.post("/v1/sweeps", json: #"{"preset": "quick"}"#)
        #expect(r.status == 409 && r.errorField == "preset", "\(r.text)")
        #expect(try s.store.sweeps().count == 1)
        // Its progress reads like `sweep status`; a cancel marks it as `sweep cancel` does.
        var g = try await s.get("/v1/sweeps/\(record.id!)")
        #expect(g.status == 200 && g.json["status"] as? String == "running" && g.json["sweep_id"] as? Int == Int(record.id!))
        try s.store.updateSweep(id: record.id!, pid: .some(nil)) // no SIGTERM to the test runner
        g = try await s.delete("/v1/sweeps/\(record.id!)")
        #expect(g.status == 200 && g.json["status"] as? String == "cancelled" && g.json["message"] as? String == "cancelled by the user")
    }

    @Test func badSweepRequestsAreNamed() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        func spec(_ from: String, _ to: String) -> String { #"{"spec": "# + Self.spec.replacingOccurrences(of: from, with: to) + "}" }
        let cases: [(String, String)] = [
            ("{}", "preset"),
            (#"{"preset": "huge"}"#, "preset"),
            (#"{"preset": 1}"#, "preset"),
            (#"{"preset": "quick", "spec": {}}"#, "spec"),
            (#"{"spec": "sweeps/quick.json"}"#, "spec"),
            (#"{"spec_file": "/etc/passwd"}"#, "spec_file"),
            (#"{"spec": {"name": "x"}}"#, "spec.label"),
            (spec(#""seeds": [1]"#, #""seeds": ["one"]"#), "spec.seeds[0]"),
            (spec(#""seeds": [1]"#, #""seeds": []"#), "spec.seeds"),
            (spec(#""seeds": [1]"#, #""seeds": [1, -2]"#), "spec.seeds[1]"),
            (spec(#""seeds": [1]"#, #""seeds": [18881500132207420064584127479808]"#), "spec.seeds"),
            (spec(#""name": "tiny_api""#, #""name": "a/b""#), "spec.name"),
            (spec(#""label": "tiny_api""#, #""label": "../x""#), "spec.label"),
            (spec(#"["xs"]"#, #"["xs", "xxl"]"#), "spec.designs[0].sizes[1]"),
            (spec(#"["balanced"]"#, #"["code=-3"]"#), "spec.designs[0].mixtures[0]"),
            (spec(#""10K""#, #""lots""#), "spec.designs[0].tokens"),
            (spec(#"["5K"]"#, #"["20K"]"#), "spec.designs[0].checkpoints[0]"),
            (spec(#""tokens": "10K", "#, ""), "spec.designs[0].tokens"),
            (spec(#""seeds": [1]"#, #""seeds": [1], "seed": 2"#), "spec.seed"),
            (spec(#""seeds": [1]"#, #""seeds": [1], "trainer": {"command": ["touch", "/tmp/pwned"]}"#), "spec.trainer"),
            (spec(#""checkpoints": ["5K"]"#, #""checkpoints": ["5K"], "checkpoint": "5K""#), "spec.designs[0].checkpoint"),
            (spec(#""checkpoints": ["5K"]"#, #""checkpoints": ["5K"], "seeds": []"#), "spec.designs[0].seeds"),
            (spec(#""checkpoints": ["5K"]"#, #""checkpoints": ["5K"], "seeds": [3, -1]"#), "spec.designs[0].seeds[1]"),
            (spec(#""checkpoints": ["5K"]"#, #""checkpoints": ["5K"], "profile": "exact""#), "spec.designs[0].profile"),
        ]
        for (body, field) in cases {
            let r = try await s.post("/v1/sweeps", json: body)
            #expect(r.status == 400 && r.errorField == field, "\(body): \(r.status) \(r.text)")
        }
        #expect(try s.store.sweeps().isEmpty)
        for (method, path, status) in [("GET", "/v1/sweeps/999", 404), ("GET", "/v1/sweeps/abc", 400), ("DELETE", "/v1/sweeps/999", 404),
                                       ("DELETE", "/v1/sweeps/0", 400), ("PUT", "/v1/sweeps/1", 405)] {
            let r = try await s.request(method, path)
            #expect(r.status == status, "\(method) \(path): \(r.status) \(r.text)")
            if status != 405 { #expect(r.errorField == "id", "\(r.text)") }
        }
    }

    @Test func fitAndSweepRoutesNeedTheToken() async throws {
        let s = try await TestServer.start(token: "s3cret")
        defer { Task { await s.stop() } }
        try seedPaper(s)
        var r = try await s.post("/v1/fits", json: #"{"source": "paper", "category": "vqa_avg"}"#)
        #expect(r.status == 401 && r.errorField == "Authorization")
        r = try await s.post("/v1/sweeps", json: #"{"preset": "quick"}"#)
        #expect(r.status == 401)
        r = try await s.delete("/v1/sweeps/1")
        #expect(r.status == 401)
        #expect(try s.store.sweeps().isEmpty && SourceFits.newest(label: "paper", in: s.store).isEmpty)
        // Reading needs no token.
        r = try await s.get("/v1/fits?source=paper")
        #expect(r.status == 404)
        r = try await s.post("/v1/fits", json: #"{"source": "paper", "category": "vqa_avg"}"#, headers: ["Authorization": "Bearer s3cret"])
        #expect(r.status == 200, "\(r.text)")
    }
}

@Suite struct DashboardPanelsAPI {
    @Test func dashboardShowsSweepHeatmapAndParetoFront() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        // Not `paper`: LawSet.load falls back to the committed fits/paper files, and this test
        // wants to see the front appear with the fits it makes.
        try seedPaper(s, label: "mixes")
        var page = try await s.get("/?source=mixes")
        #expect(page.status == 200 && page.text.contains("vqa_avg by mixture"), "heatmap missing")
        #expect(!page.text.contains("Pareto front"), "no fits yet, so no front")
        for c in ["vqa_avg", "text_acc"] {
            let r = try await s.post("/v1/fits", json: #"{"source": "mixes", "category": "\#(c)"}"#)
            #expect(r.status == 200, "\(r.text)")
        }
        let record = try s.store.createSweep(SweepRecord(name: "demo", spec: #"{"name":"demo","label":"demo","encoder":"objects","seeds":[1],"designs":[]}"#, label: "demo", totalRuns: 4))
        try s.store.updateSweep(id: record.id!, status: "running")
        page = try await s.get("/?source=mixes")
        #expect(page.text.contains("Pareto front"), "the front needs mixture-aware vqa_avg and text_acc fits")
        #expect(page.text.contains("<b>demo</b>") && page.text.contains("0/4 runs stored") && page.text.contains("sweep progress"))
    }
}
