import Foundation
import Testing

/// The CLI and the HTTP API plan with one typed request, one search-space rule and one way of
/// loading laws: the same question asked of both gives the same JSON.
@Suite struct CLIParity {
    /// `visionmix ARGS --db DB --json`, parsed.
    func cli(_ args: [String], db: String) throws -> Any {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: debugBinary)
        p.arguments = args + ["--db", db]
        p.currentDirectoryURL = repoRoot
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "\(args): \(String(decoding: e, as: UTF8.self))")
        return try JSONSerialization.jsonObject(with: data)
    }

    func same(_ a: Any, _ b: Any) -> Bool { (a as? NSObject)?.isEqual(b) == true }

    @Test func predictAndRecommendAnswerAsTheCLIDoes() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: debugBinary), "build with `swift build --build-tests` first")
        let s = try await TestServer.start(storeLaws: true)
        defer { Task { await s.stop() } }
        let db = s.store.path
        let data = repoRoot.appendingPathComponent("data")
        _ = try cli(["runs", "import", data.appendingPathComponent("reference/paper-mixtures.csv").path, "--source", "paper", "--json"], db: db)
        _ = try cli(["fit", "--source", "paper", "--all", "--bootstrap", "30", "--json"], db: db)
        // A source whose language law reads size and tokens only, beside a vision law of the
        // shares: recipes live in the shares space, so reasoning bounds hold.
        _ = try cli(["runs", "import", data.appendingPathComponent("calibration/standard.csv").path, "--source", "cal", "--json"], db: db)
        _ = try cli(["fit", "--source", "cal", "--category", "text_acc", "--bootstrap", "10", "--json"], db: db)
        _ = try cli(["fit", "--source", "cal", "--category", "vqa_avg", "--family", "auto-mixture", "--bootstrap", "30", "--json"], db: db)

        let cases: [(cli: [String], path: String, body: String)] = [
            (["predict", "--source", "paper", "--mix", "balanced"], "/v1/predict", #"{"source": "paper", "mix": "balanced"}"#),
            (["predict", "--source", "paper", "--mix", "web_crawl=40,code=35,math=10,academia=5,encyclopedia=8,literature=2", "--params", "7B", "--tokens", "1T"],
             "/v1/predict", #"{"source": "paper", "mix": {"web_crawl": 40, "code": 35, "math": 10, "academia": 5, "encyclopedia": 8, "literature": 2}, "params": "7B", "tokens": 1e12}"#),
            (["recommend", "--source", "paper", "--objective", "vqa_avg", "--constraint", "text_acc>=52.5", "--candidates", "2000"],
             "/v1/recommend", #"{"source": "paper", "objective": "vqa_avg", "constraints": ["text_acc>=52.5"], "candidates": 2000}"#),
            (["recommend", "--source", "paper", "--objective", "vqa_avg", "--bounds", "reasoning<=50,visual>=10", "--baseline", "balanced",
              "--candidates", "2000", "--seed", "3"],
             "/v1/recommend", #"{"source": "paper", "objective": "vqa_avg", "bounds": {"reasoning": {"max": 50}, "visual": {"min": 10}}, "baseline": "balanced", "candidates": 2000, "seed": 3}"#),
            (["recommend", "--source", "cal", "--objective", "vqa_avg", "--constraint", "text_acc>=40", "--bounds", "reasoning>=20", "--candidates", "2000"],
             "/v1/recommend", #"{"source": "cal", "objective": "vqa_avg", "constraints": ["text_acc>=40"], "bounds": "reasoning>=20", "candidates": 2000}"#),
        ]
        for c in cases {
            let viaCLI = try cli(c.cli + ["--json"], db: db)
            let viaHTTP = try await s.post(c.path, json: c.body)
            #expect(viaHTTP.status == 200, "\(c.body): \(viaHTTP.text)")
            let json = try JSONSerialization.jsonObject(with: viaHTTP.body)
            #expect(same(viaCLI, json), "\(c.cli) and POST \(c.path) \(c.body) differ:\nCLI  \(viaCLI)\nHTTP \(json)")
        }
        // The recipe on the calibration is checked against its runs the same way by both.
        let checked = try cli(["recommend", "--source", "cal", "--objective", "vqa_avg", "--candidates", "2000", "--json"], db: db) as? [String: Any]
        #expect(checked?["transfer_check"] is [String: Any] && checked?["warnings"] is [String])
        let transfer = try cli(["transfer", "--source", "cal", "--category", "vqa_avg", "--json"], db: db)
        let viaHTTP = try await s.get("/v1/transfer?source=cal&category=vqa_avg")
        #expect(viaHTTP.status == 200, "\(viaHTTP.text)")
        #expect(same(transfer, try JSONSerialization.jsonObject(with: viaHTTP.body)), "transfer differs between the CLI and GET /v1/transfer")
    }
}
