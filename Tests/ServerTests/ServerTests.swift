import Foundation
import Planner
import Store
import Testing
import VisionMixCore
@testable import Server

/// Two runs in the JSON import shape (`runs list --json` / `runs export --format json`).
let twoRuns = """
    [
      {"name": "mix0", "params": "3B", "tokens": "50B", "mixture": {"web_crawl": 50, "encyclopedia": 2.5, "academia": 2.5,
       "literature": 20, "math": 5, "code": 20}, "scores": {"text_acc": 53.0, "vqa_avg": 32.4}},
      {"name": "mix6", "params": 3e9, "tokens": 5e10, "mixture": {"web_crawl": 40, "encyclopedia": 8, "academia": 5,
       "literature": 2, "math": 10, "code": 35}, "scores": {"text_acc": 52.7, "vqa_avg": 33.3, "my_probe": 1.5}}
    ]
    """

@Suite struct RunsAPI {
    @Test func healthCountsStoredRuns() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        var r = try await s.get("/v1/health")
        #expect(r.status == 200)
        #expect(r.json["status"] as? String == "ok" && r.json["version"] as? String == VisionMixServer.version && r.json["runs"] as? Int == 0)
        _ = try await s.post("/v1/runs?source=paper", json: twoRuns)
        r = try await s.get("/v1/health")
        #expect(r.json["runs"] as? Int == 2)
    }

    @Test func importListShowAndReimport() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        var r = try await s.post("/v1/runs?source=paper", json: twoRuns)
        #expect(r.status == 200, "\(r.text)")
        #expect(r.json["imported"] as? Int == 2 && r.json["already_present"] as? Int == 0 && r.json["format"] as? String == "JSON")
        #expect(r.json["new_metrics"] as? [String] == ["my_probe"])
        // Same summary keys as `runs import --json`.
        #expect(Set(r.json.keys) == ["file", "source", "format", "rows", "imported", "already_present", "new_metrics", "notices"])

        r = try await s.post("/v1/runs?source=paper", json: twoRuns)
        #expect(r.json["imported"] as? Int == 0 && r.json["already_present"] as? Int == 2)

        r = try await s.get("/v1/runs")
        #expect(r.status == 200 && r.json["total"] as? Int == 2 && r.json["limit"] as? Int == 100 && r.json["offset"] as? Int == 0)
        let runs = try #require(r.json["runs"] as? [[String: Any]])
        #expect(runs.count == 2)
        // The StoredRun shape of `runs list --json`, every key present.
        #expect(Set(runs[0].keys) == ["id", "source", "origin", "name", "params", "tokens", "seed", "mixture", "reasoning_share",
                                      "visual_share", "scores", "chance", "status", "duration_seconds", "provenance"])
        #expect(runs[0]["source"] as? String == "paper" && runs[0]["origin"] as? String == "import")

        r = try await s.get("/v1/runs?limit=1&offset=1")
        #expect(r.json["total"] as? Int == 2 && (r.json["runs"] as? [[String: Any]])?.first?["name"] as? String == "mix6")
        r = try await s.get("/v1/runs?source=other")
        #expect(r.json["total"] as? Int == 0)
        r = try await s.get("/v1/runs?params=3B&origin=import")
        #expect(r.json["total"] as? Int == 2)
        r = try await s.get("/v1/runs?params=7B")
        #expect(r.json["total"] as? Int == 0)

        let id = try #require(runs[1]["id"] as? Int)
        r = try await s.get("/v1/runs/\(id)")
        #expect(r.status == 200 && r.json["name"] as? String == "mix6")
        r = try await s.get("/v1/runs/999999")
        #expect(r.status == 404 && r.errorField == "id")
        r = try await s.get("/v1/runs/abc")
        #expect(r.status == 400 && r.errorField == "id")

        // What the list returns imports back unchanged under another label, page and all.
        let page = try await s.get("/v1/runs")
        r = try await s.post("/v1/runs?source=copy", json: page.text)
        #expect(r.status == 200 && r.json["imported"] as? Int == 2, "\(r.text)")
        r = try await s.post("/v1/runs?source=copy", json: #"{"runs": [], "extra": 1}"#)
        #expect(r.status == 400 && r.errorMessage.contains("extra"))
    }

    @Test func badListQueriesAreNamed() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        for (query, field) in [("limit=0", "limit"), ("limit=1001", "limit"), ("limit=x", "limit"), ("offset=-1", "offset"),
                               ("origin=elsewhere", "origin"), ("params=huge", "params"), ("params=", "params"), ("origin=", "origin")] {
            let r = try await s.get("/v1/runs?\(query)")
            #expect(r.status == 400 && r.errorField == field, "\(query): \(r.status) \(r.text)")
        }
    }

    @Test func refusedImportsNameTheFieldAndStoreNothing() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        let badSecond = twoRuns.replacingOccurrences(of: "\"code\": 35", with: "\"code\": -35")
        let cases: [(String, String, Int, String)] = [
            ("/v1/runs?source=paper", "{not json", 400, "body"),
            ("/v1/runs?source=paper", "42", 400, "body"),
            ("/v1/runs?source=paper", "[]", 400, "body"),
            ("/v1/runs?source=paper", badSecond, 400, "body"),
            ("/v1/runs?source=paper", #"[{"params": 1e9, "tokens": 1e9, "scores": {"x": "high"}}]"#, 400, "body"),
            ("/v1/runs?source=paper", #"[{"params": 1e9, "tokens": 1e9, "mixture": {"web_crawl": 0}, "scores": {}}]"#, 400, "body"),
            ("/v1/runs", twoRuns, 400, "source"),
            ("/v1/runs?source=../etc", twoRuns, 400, "source"),
            ("/v1/runs?source=paper&mix=nonsense", twoRuns, 400, "mix"),
        ]
        for (path, body, status, field) in cases {
            let r = try await s.post(path, json: body)
            #expect(r.status == status && r.errorField == field, "\(path) \(body.prefix(40)): \(r.status) \(r.text)")
        }
        let r = try await s.request("POST", "/v1/runs?source=paper", headers: ["Content-Type": "text/csv"], body: Data("run,params\n".utf8))
        #expect(r.status == 415 && r.errorField == "body")
        #expect(try s.store.countRuns() == 0)
    }

    @Test func oversizedBodiesGet413() async throws {
        let s = try await TestServer.start(maxBodyBytes: 4096)
        defer { Task { await s.stop() } }
        let big = Data(repeating: UInt8(ascii: " "), count: 64 * 1024) + Data(twoRuns.utf8)
        var r = try await s.request("POST", "/v1/runs?source=paper", headers: ["Content-Type": "application/json"], body: big)
        #expect(r.status == 413 && r.errorField == "body", "\(r.text)")
        // Without a Content-Length the limit is enforced while reading.
        let port = s.port
        r = try await onThread { try rawHTTP(port: port, method: "POST", path: "/v1/predict", headers: ["Content-Type": "application/json"], body: big, chunked: true) }
        #expect(r.status == 413 && r.errorField == "body", "\(r.text)")
        #expect(try s.store.countRuns() == 0)
        // The default limit is 1 MiB.
        let d = try await TestServer.start()
        defer { Task { await d.stop() } }
        r = try await d.request("POST", "/v1/runs?source=paper", headers: ["Content-Type": "application/json"], body: Data(repeating: 32, count: (1 << 20) + 1))
        #expect(r.status == 413)
    }

    @Test func unknownRoutesAndMethods() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        var r = try await s.get("/v1/nothing")
        #expect(r.status == 404 && r.headers["content-type"]?.hasPrefix("application/json") == true && !r.errorMessage.isEmpty)
        r = try await s.request("DELETE", "/v1/runs")
        #expect(r.status == 405 && r.headers["allow"] == "GET, POST")
    }
}

@Suite struct Security {
    @Test func mutatingRoutesNeedTheToken() async throws {
        let s = try await TestServer.start(token: "s3cret")
        defer { Task { await s.stop() } }
        var r = try await s.post("/v1/runs?source=paper", json: twoRuns)
        #expect(r.status == 401 && r.errorField == "Authorization" && r.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
        r = try await s.post("/v1/runs?source=paper", json: twoRuns, headers: ["Authorization": "Bearer wrong"])
        #expect(r.status == 401)
        r = try await s.post("/v1/predict", json: #"{"source": "known", "mix": "balanced", "params": 1e9, "tokens": 1e10}"#)
        #expect(r.status == 401)
        r = try await s.request("DELETE", "/v1/runs/1")
        #expect(r.status == 401)
        #expect(try s.store.countRuns() == 0)
        // The scheme is case-insensitive; the token is not.
        r = try await s.post("/v1/runs?source=paper", json: twoRuns, headers: ["Authorization": "bearer S3CRET"])
        #expect(r.status == 401)
        r = try await s.post("/v1/runs?source=paper", json: twoRuns, headers: ["Authorization": "bearer s3cret"])
        #expect(r.status == 200 && r.json["imported"] as? Int == 2, "\(r.text)")
        r = try await s.post("/v1/runs?source=other", json: twoRuns, headers: ["Authorization": "BEARER s3cret"])
        #expect(r.status == 200 && r.json["imported"] as? Int == 2, "\(r.text)")
        r = try await s.get("/v1/runs")
        #expect(r.status == 200)
    }

    @Test func nonLoopbackNeedsAToken() throws {
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(host: "0.0.0.0", port: 8080).validate() }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(host: "192.168.1.4", port: 8080, token: "").validate() }
        try ServerConfiguration(host: "0.0.0.0", port: 8080, token: "t").validate()
        for h in ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"] { #expect(ServerConfiguration.isLoopback(h), "\(h)") }
        for h in ["0.0.0.0", "127.0.0.1.evil.com", "10.0.0.1", "::", "127.0.0.256"] { #expect(!ServerConfiguration.isLoopback(h), "\(h)") }
    }

    @Test func serveRefusesAnExposedBindAndServesOnLoopback() async throws {
        let binary = repoRoot.appendingPathComponent(".build/debug/visionmix").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build with `swift build --build-tests` first")
        let db = scratchDirectory().appendingPathComponent("cli.sqlite").path
        var env = ProcessInfo.processInfo.environment
        env["VISIONMIX_TOKEN"] = nil
        // Child processes are waited for on a Dispatch thread, never on the cooperative pool.
        let (status, text) = try await onThread { () -> (Int32, String) in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["serve", "--host", "0.0.0.0", "--port", "0", "--db", db]
            p.environment = env
            let err = Pipe()
            p.standardError = err
            p.standardOutput = Pipe()
            try p.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return (p.terminationStatus, text)
        }
        #expect(status != 0 && text.contains("refusing to listen on 0.0.0.0"), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: db), "a refused serve must not create the database")

        let q = Process()
        q.executableURL = URL(fileURLWithPath: binary)
        q.arguments = ["serve", "--port", "0", "--db", db]
        q.environment = env
        let qerr = Pipe()
        q.standardError = qerr
        q.standardOutput = Pipe()
        try q.run()
        defer { q.terminate(); q.waitUntilExit() }
        // The first stderr line names the bound port.
        let announced = try await onThread { () -> String in
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = qerr.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                line += chunk
            }
            return String(decoding: line, as: UTF8.self)
        }
        let port = try #require(announced.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) }, "\(announced)")
        let r = try await onThread { try rawHTTP(port: port, method: "GET", path: "/v1/health", headers: [:], body: nil) }
        #expect(r.status == 200 && r.text.contains("\"status\":\"ok\""))
    }
}
