import Foundation
import Testing
import TestScratch
@testable import Server

/// One bad request: what is sent, and the status, field and message the client must get.
struct BadRequest: CustomStringConvertible {
    var method = "POST"
    var path: String
    var body: String?
    var headers: [String: String] = ["Content-Type": "application/json"]
    var status: Int
    var field: String?
    var message: String
    var description: String { "\(method) \(path) \(body.map { String($0.prefix(60)) } ?? "")" }
}

/// The tiny spec `FitSweepAPITests` starts, as the body of `POST /v1/sweeps` with `from`
/// replaced by `to`.
func sweepBody(_ from: String, _ to: String) -> String {
    #"{"spec": {"name": "cat", "label": "cat", "encoder": "patch", "seeds": [1], "designs": [{"name": "d", "sizes": ["xs"], "mixtures": ["balanced"], "tokens": "10K", "checkpoints": ["5K"]}]}}"#
        .replacingOccurrences(of: from, with: to)
}

let oneRun = #"{"name": "a", "params": "3B", "tokens": "50B", "mixture": {"web_crawl": 100}, "scores": {"vqa_avg": 30}}"#

func sweepRequests() -> [BadRequest] {
    let manyMixtures = (0..<500).map { _ in #""balanced""# }.joined(separator: ", ")
    let seeds = (0..<65).map(String.init).joined(separator: ", ")
    return [
        BadRequest(path: "/v1/sweeps", body: sweepBody(#""10K""#, #""999999T""#), status: 400, field: "spec.designs[0].tokens",
                   message: "designs[0].tokens '999999T' is past the limit of 1B tokens a run"),
        BadRequest(path: "/v1/sweeps", body: sweepBody(#""10K""#, #""10T""#), status: 400, field: "spec.designs[0].tokens",
                   message: "past the limit of 1B tokens a run"),
        BadRequest(path: "/v1/sweeps", body: sweepBody(#""seeds": [1]"#, #""seeds": [\#(seeds)]"#), status: 400, field: "spec.seeds",
                   message: "seeds lists 65 seeds; the limit is 64"),
        BadRequest(path: "/v1/sweeps", body: sweepBody(#"["balanced"]"#, "[\(manyMixtures)]").replacingOccurrences(of: #"["xs"]"#, with: #"["xs", "s", "m", "l", "xl"]"#),
                   status: 400, field: "spec.designs", message: "a sweep runs at most 2000"),
        BadRequest(path: "/v1/sweeps", body: sweepBody(#""label": "cat""#, #""label": "../../etc""#), status: 400, field: "spec.label",
                   message: "must be a plain label"),
        BadRequest(path: "/v1/sweeps", body: sweepBody(#""seeds": [1]"#, #""seeds": [1], "seeds": [2]"#), status: 400, field: "body",
                   message: "the key \"seeds\" appears twice in one object at line 1"),
        BadRequest(path: "/v1/sweeps", body: sweepBody(#""5K""#, #""50K""#), status: 400, field: "spec.designs[0].checkpoints[0]",
                   message: "is not a count up to 10K"),
        BadRequest(path: "/v1/sweeps", body: sweepBody(#""name": "cat""#, #""name": "a/b""#), status: 400, field: "spec.name", message: "plain name"),
    ]
}

func runRequests() -> [BadRequest] {
    [
        BadRequest(path: "/v1/runs?source=s", body: "[\(oneRun), \(oneRun.replacingOccurrences(of: #""name": "a""#, with: #""name": "b", "name": "c""#))]",
                   status: 400, field: "body", message: "the key \\\"name\\\" appears twice"),
        BadRequest(path: "/v1/runs?source=s", body: "[\n\(oneRun),\n{\"params\": 3x}]", status: 400, field: "body", message: "body:3: malformed JSON"),
        BadRequest(path: "/v1/runs?source=s", body: "[" + oneRun.replacingOccurrences(of: #""a""#, with: "\"\(String(repeating: "n", count: 4000))\"") + "]",
                   status: 400, field: "body", message: "name is 4000 characters; the limit is 1024"),
        BadRequest(path: "/v1/runs?source=s", body: "[" + oneRun.replacingOccurrences(of: #""3B""#, with: #""3\u0000B""#) + "]", status: 400, field: "body",
                   message: "params"),
        BadRequest(path: "/v1/runs?source=s", body: "[" + oneRun.replacingOccurrences(of: #""3B""#, with: #""-3B""#) + "]", status: 400, field: "body",
                   message: "params '-3B' is not a count"),
        BadRequest(path: "/v1/runs?source=../x", body: "[\(oneRun)]", status: 400, field: "source", message: "source must be a plain label"),
        BadRequest(path: "/v1/runs?source=s", body: String(repeating: "[", count: 300) + String(repeating: "]", count: 300), status: 400, field: "body",
                   message: "nested deeper than 256 levels"),
        BadRequest(path: "/v1/runs?source=s", body: "[\(oneRun)]", headers: ["Content-Type": "text/csv"], status: 415, field: "body",
                   message: "send the body as application/json"),
    ]
}

func planningRequests() -> [BadRequest] {
    [
        BadRequest(path: "/v1/predict", body: #"{"source": "known", "mix": "balanced", "mix": "web_crawl"}"#, status: 400, field: "body",
                   message: "appears twice in one object at line 1, column 40"),
        BadRequest(path: "/v1/predict", body: "{\"source\": \"known\",\n \"mix\": balanced}", status: 400, field: "body",
                   message: "not valid JSON: unexpected character at line 2, column 9"),
        BadRequest(path: "/v1/predict", body: #"{"source": "known", "mix": "balanced", "params": "7B", "tokens": "1T", "color": 1}"#, status: 400,
                   field: "color", message: "unknown field 'color'"),
        BadRequest(path: "/v1/predict", body: "[1]", status: 400, field: "body", message: "must be a JSON object"),
        BadRequest(path: "/v1/recommend", body: #"{"source": "known", "objective": "vqa_avg", "candidates": 10000000}"#, status: 400,
                   field: "candidates", message: "candidates must be an integer from 100 to 20000"),
        BadRequest(path: "/v1/recommend", body: #"{"source": "../x", "objective": "vqa_avg"}"#, status: 400, field: "source", message: "plain label"),
        BadRequest(path: "/v1/fits", body: #"{"source": "../../etc"}"#, status: 400, field: "source", message: "plain label"),
        BadRequest(path: "/v1/fits", body: #"{"source": "paper", "category": "vqa_avg", "through": "val_loss"}"#, status: 422, field: "through",
                   message: "no fit of 'val_loss' under 'paper'"),
        BadRequest(path: "/v1/fits", body: #"{"source": "paper", "through": "val_loss"}"#, status: 400, field: "through", message: "not \"all\""),
        BadRequest(path: "/v1/predict", body: #"{"source": "known"}"#, headers: ["Content-Type": "application/json", "Content-Length": "-5"],
                   status: 400, field: "request", message: "the request is not valid HTTP/1.1"),
        BadRequest(method: "GET", path: "/v1/health", body: nil, headers: ["Bad Header": "x"], status: 400, field: "request",
                   message: "the request is not valid HTTP/1.1"),
    ]
}

@Suite struct BadInputAPI {
    /// Every case gets its status, field and message, and the database is left as it was
    /// (compared as an SQL dump).
    @Test func badRequestCatalogue() async throws {
        let s = try await TestServer.start()
        defer { Task { await s.stop() } }
        try seedPaper(s)
        let cases = sweepRequests() + runRequests() + planningRequests()
        let before = try DatabaseDump.text(s.store.path)
        for c in cases {
            let r = try await s.request(c.method, c.path, headers: c.headers, body: c.body.map { Data($0.utf8) })
            #expect(r.status == c.status, "\(c): \(r.status) \(r.text.prefix(300))")
            if c.status != 400 || c.field != nil {
                #expect(r.errorField == c.field, "\(c): \(r.text.prefix(300))")
                #expect(r.errorMessage.contains(c.message.replacingOccurrences(of: "\\\"", with: "\"")), "\(c): \(r.text.prefix(300))")
            }
            #expect(try DatabaseDump.text(s.store.path) == before, "\(c) changed the database")
        }
        #expect(cases.count >= 20)
    }
}

@Suite struct StoreContentionAPI {
    /// Another process's long write: the import is answered 503 with Retry-After and stores
    /// nothing; once the write is done, the same request is answered 200.
    @Test func postRunsBesideALongWriteIsA503WithRetryAfter() async throws {
        let s = try await TestServer.start(busyTimeout: 0.3)
        defer { Task { await s.stop() } }
        let before = try DatabaseDump.text(s.store.path)
        let lock = try WriteLockHolder(path: s.store.path)
        let r = try await s.post("/v1/runs?source=s", json: "[\(oneRun)]")
        lock.release()
        #expect(r.status == 503, "\(r.text)")
        #expect(r.headers["retry-after"] == "\(APIError.retryAfterSeconds)")
        #expect(r.errorMessage.contains("the database is busy with another write"), "\(r.text)")
        #expect(try DatabaseDump.text(s.store.path) == before)
        let again = try await s.post("/v1/runs?source=s", json: "[\(oneRun)]")
        #expect(again.status == 200 && again.json["imported"] as? Int == 1, "\(again.text)")
    }
}
