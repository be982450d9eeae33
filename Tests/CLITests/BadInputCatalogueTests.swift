import Foundation
import Testing
import TestScratch

/// One bad input to the command line: what it runs, the exit status and the message it must
/// give. `env` adds to the environment (commands without `--db` reach the store through
/// `VISIONMIX_DB`); `db: false` runs without `--db`.
struct BadInput: CustomStringConvertible {
    var args: [String]
    var status: Int32
    var message: String
    var db = true
    var env: [String: String] = [:]
    var description: String { args.joined(separator: " ") }
}

/// The files the catalogue's cases read, written once into `dir`.
struct CatalogueFiles {
    let dir: URL
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// A sweep spec of one tiny design with `edit` applied to its JSON object.
    func spec(_ name: String, _ edit: (inout [String: Any]) -> Void) throws -> String {
        var spec: [String: Any] = ["name": "cat", "label": "cat", "encoder": "patch", "seeds": [1],
                                   "designs": [["name": "d", "sizes": ["xs"], "mixtures": ["balanced"], "tokens": "10K", "checkpoints": ["10K"]]]]
        edit(&spec)
        try JSONSerialization.data(withJSONObject: spec).write(to: dir.appendingPathComponent(name))
        return path(name)
    }

    func text(_ name: String, _ content: String) throws -> String {
        try content.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    static func design(_ edit: @escaping ([String: Any]) -> [String: Any]) -> (inout [String: Any]) -> Void {
        { spec in spec["designs"] = [edit((spec["designs"] as! [[String: Any]])[0])] }
    }
}

func sweepCases(_ f: CatalogueFiles) throws -> [BadInput] {
    let design = CatalogueFiles.design
    let manyMixtures = (0..<500).map { "mix\($0 % 11)" }
    return [
        BadInput(args: ["sweep", "run", "--preset", "quick", "--jobs", "100000"], status: 1, message: "--jobs must be from 1 to 64"),
        BadInput(args: ["sweep", "run", "--preset", "quick", "--jobs", "0"], status: 1, message: "--jobs must be from 1 to 64"),
        BadInput(args: ["sweep", "run", "--preset", "quick", "--threads", "0"], status: 1, message: "--threads must be from 1"),
        BadInput(args: ["sweep", "run", "--preset", "nope"], status: 1, message: "unknown preset 'nope'"),
        BadInput(args: ["sweep", "run", "--spec", try f.spec("label.json") { $0["label"] = "../../etc" }], status: 1,
                 message: "label '../../etc' must be a plain label"),
        BadInput(args: ["sweep", "run", "--spec", try f.spec("name.json") { $0["name"] = "a/b" }], status: 1, message: "name 'a/b' must be a plain name"),
        BadInput(args: ["sweep", "run", "--spec", try f.spec("tokens.json", design { var d = $0; d["tokens"] = "10T"; return d })], status: 1,
                 message: "designs[0].tokens '10T' is past the limit of 1B tokens a run"),
        BadInput(args: ["sweep", "run", "--spec", try f.spec("huge.json", design { var d = $0; d["tokens"] = "999999T"; return d })], status: 1,
                 message: "past the limit"),
        BadInput(args: ["sweep", "run", "--spec", try f.spec("seeds.json") { $0["seeds"] = Array(0..<100) }], status: 1,
                 message: "seeds lists 100 seeds; the limit is 64"),
        BadInput(args: ["sweep", "run", "--spec", try f.spec("runs.json", design { var d = $0; d["sizes"] = ["xs", "s", "m", "l", "xl"]; d["mixtures"] = manyMixtures; return d })],
                 status: 1, message: "asks for 2500+ runs; a sweep runs at most 2000"),
        BadInput(args: ["sweep", "run", "--spec", try f.spec("noseeds.json") { $0["seeds"] = [Int]() }], status: 1, message: "seeds must list at least one seed"),
        BadInput(args: ["sweep", "run", "--spec", try f.spec("negseed.json") { $0["seeds"] = [1, -2] }], status: 1, message: "seed -2 is not in 0–"),
        BadInput(args: ["sweep", "run", "--spec", try f.spec("ckpt.json", design { var d = $0; d["checkpoints"] = ["20K"]; return d })], status: 1,
                 message: "checkpoint '20K' is not a count up to 10K"),
        BadInput(args: ["sweep", "run", "--spec", try f.spec("profile.json") { $0["profile"] = "exact" }], status: 1, message: "unknown profile 'exact'"),
        BadInput(args: ["sweep", "run", "--spec", try f.spec("size.json", design { var d = $0; d["sizes"] = ["xxl"]; return d })], status: 1,
                 message: "unknown size 'xxl'"),
        BadInput(args: ["sweep", "run", "--spec", try f.spec("mix.json", design { var d = $0; d["mixtures"] = ["code=-3"]; return d })], status: 1,
                 message: "mixture 'code=-3'"),
        BadInput(args: ["sweep", "run", "--spec", try f.text("dup.json", #"{"name": "a", "label": "b", "name": "c"}"#)], status: 1,
                 message: "the key \"name\" appears twice in one object at line 1, column 29"),
        BadInput(args: ["sweep", "run", "--spec", try f.text("broken.json", "{\n  \"name\": \"a\",\n  \"seeds\": [1 2]\n}")], status: 1,
                 message: "at line 3, column 15"),
        BadInput(args: ["sweep", "run", "--spec", try f.text("big.json", "[" + String(repeating: "1,", count: 600_000) + "1]")], status: 1,
                 message: "a sweep spec is at most 1048576"),
        BadInput(args: ["sweep", "run", "--spec", f.path("missing.json")], status: 1, message: "cannot read"),
    ]
}

func trainingCases(_ f: CatalogueFiles, db: String) -> [BadInput] {
    let env = ["VISIONMIX_DB": db]
    return [
        BadInput(args: ["train", "--size", "xs", "--tokens", "10T"], status: 1, message: "--tokens 10T is past the limit of 1B tokens a run", db: false, env: env),
        BadInput(args: ["train", "--size", "xs", "--tokens", "0"], status: 1, message: "--tokens must be a count", db: false, env: env),
        BadInput(args: ["train", "--size", "xs", "--tokens", "-5"], status: 1, message: "--tokens must be a count like 2M or 500K (got '-5')", db: false, env: env),
        BadInput(args: ["train", "--size", "xs", "--tokens", "40\u{7}"], status: 1, message: "--tokens must be a count", db: false, env: env),
        BadInput(args: ["train", "--size", "xs", "--threads", "0"], status: 1, message: "--threads must be from 1 to 64", db: false, env: env),
        BadInput(args: ["train", "--size", "xs", "--batch", "100000"], status: 1, message: "--batch must be from 1 to 512", db: false, env: env),
        BadInput(args: ["train", "--size", "huge"], status: 1, message: "unknown size 'huge'", db: false, env: env),
        BadInput(args: ["train", "--list-sizes", "--vocab", "0"], status: 1, message: "--vocab must be from 1 to 1048576", db: false, env: env),
        BadInput(args: ["train", "--benchmark", "--bench-steps", "100000000"], status: 1, message: "--bench-steps must be from 1 to 1000", db: false, env: env),
        BadInput(args: ["world", "sample", "--source", "code", "--n", "100000000"], status: 1, message: "--n must be from 1 to 10000", db: false, env: env),
        BadInput(args: ["world", "text-questions", "--kind", "fact", "--n", "-1"], status: 1, message: "--n must be from 1 to 10000 (got -1)", db: false, env: env),
        BadInput(args: ["world", "scene", "--scale", "100000"], status: 1, message: "--scale must be from 1 to 64", db: false, env: env),
        BadInput(args: ["runs", "list", "--offset", "-5"], status: 1, message: "--offset must be from 0"),
        BadInput(args: ["bench-plan", "--candidates", "2000000000"], status: 1, message: "--candidates must be from 1 to 1000000", db: false, env: env),
        BadInput(args: ["bench-fit", "--csv", "data/reference/paper-scaling.csv", "--problem-out", f.path("problem.json"), "--repeats", "0"], status: 1, message: "--repeats must be from 1 to 1000", db: false, env: env),
        BadInput(args: ["runs", "list", "--limit", "0"], status: 1, message: "--limit must be from 1"),
        BadInput(args: ["run", "--size", "xs", "--tokens", "10T"], status: 1, message: "past the limit of 1B tokens a run"),
        BadInput(args: ["run", "--size", "xs", "--source", "../x"], status: 1, message: "--source must be a plain label"),
        BadInput(args: ["run", "--size", "xs", "--threads", "1000"], status: 1, message: "--threads must be from 1 to 64"),
        BadInput(args: ["run", "--size", "xs", "--seed", "-1"], status: 1, message: "--seed must be from 0 to 2147483647 (got -1)"),
    ]
}

func planningCases(_ f: CatalogueFiles) -> [BadInput] {
    let rec = ["recommend", "--source", "paper", "--objective", "vqa_avg"]
    return [
        BadInput(args: ["fit", "--source", "paper", "--all", "--folds", "0"], status: 1, message: "--folds must be from 2 to 20 (got 0)"),
        BadInput(args: ["fit", "--source", "paper", "--all", "--folds", "100"], status: 1, message: "--folds must be from 2 to 20"),
        BadInput(args: ["fit", "--source", "paper", "--all", "--bootstrap", "-1"], status: 1, message: "--bootstrap must be from 0 to 5000 (got -1)"),
        BadInput(args: ["fit", "--source", "paper", "--all", "--starts", "100000"], status: 1, message: "--starts must be from 0 to 1000"),
        BadInput(args: ["fit", "--source", "paper", "--all", "--solver", "minpack"], status: 1, message: "unknown --solver 'minpack'; use lm, gsl, gsl-accelerated"),
        BadInput(args: ["fit", "--source", "paper", "--all", "--solver", "gsl", "--accelerated"], status: 1, message: "--accelerated is --solver gsl-accelerated"),
        BadInput(args: ["fit", "--source", "paper", "--all", "--fits-dir", f.path("plain-file.txt")], status: 1, message: "plain-file.txt"),
        BadInput(args: rec + ["--candidates", "10000000"], status: 1, message: "--candidates must be from 1 to 1000000"),
        BadInput(args: rec + ["--candidates", "0"], status: 1, message: "--candidates must be from 1"),
        BadInput(args: rec + ["--max-epochs", "-1"], status: 1, message: "--max-epochs must be a positive number (got -1.0)"),
        BadInput(args: rec + ["--max-epochs", "nan"], status: 1, message: "--max-epochs must be a positive number"),
        BadInput(args: rec + ["--plot", "/nonexistent-folder/p.svg"], status: 1, message: "the folder /nonexistent-folder does not exist; nothing was computed or stored"),
        BadInput(args: rec + ["--plot", f.dir.path], status: 1, message: "is a folder"),
        BadInput(args: rec + ["--format", "xml"], status: 1, message: "--format must be table, json, yaml or megatron"),
        BadInput(args: ["predict", "--source", "paper", "--mix", "balanced", "--tokens", "1e400"], status: 1, message: "--tokens '1e400' is not a count"),
        BadInput(args: ["predict", "--source", "paper", "--mix", "balanced", "--params", "-3B"], status: 1, message: "--params '-3B' is not a count"),
        BadInput(args: ["predict", "--source", "paper", "--mix", "balanced", "--params=-3B"], status: 1, message: "--params '-3B' is not a count"),
        BadInput(args: ["transfer", "--source", "paper", "--category", "nope"], status: 1, message: "no run of this source has a score 'nope'; categories: "),
        BadInput(args: ["transfer", "--source", "nobody", "--category", "vqa_avg"], status: 1, message: "no complete runs under source 'nobody'; sources: paper"),
        BadInput(args: ["transfer", "--source", "paper", "--category", "vqa avg"], status: 1, message: "--category 'vqa avg' is not a category name"),
        BadInput(args: ["train", "--size", "xs", "--tokens", "1M", "--eval-at", "5T"], status: 1, message: "--eval-at: '5T' is not a token count", db: false),
        BadInput(args: ["report", "--source", "../x"], status: 1, message: "--source must be a plain label"),
        BadInput(args: ["report", "--source", "paper", "--out", f.path("plain-file.txt")], status: 1, message: "is a file; give a folder"),
        BadInput(args: ["serve", "--host", "0.0.0.0", "--port", "0"], status: 1, message: "refusing to listen on 0.0.0.0 without a token",
                 env: ["VISIONMIX_TOKEN": "   "]),
    ]
}

func importCases(_ f: CatalogueFiles) throws -> [BadInput] {
    let run = #"{"name": "a", "params": "3B", "tokens": "50B", "mixture": {"web_crawl": 100}, "scores": {"vqa_avg": 30}}"#
    let longName = String(repeating: "n", count: 5000)
    return [
        BadInput(args: ["runs", "import", try f.text("ok.json", "[\(run)]"), "--source", "../x"], status: 1, message: "--source must be a plain label"),
        BadInput(args: ["runs", "import", try f.text("dupkey.json", #"[{"name": "a", "params": "3B", "params": "7B"}]"#), "--source", "s"], status: 1,
                 message: "dupkey.json:1: malformed JSON: the key \"params\" appears twice in one object (column 32)"),
        BadInput(args: ["runs", "import", try f.text("syntax.json", "[\n\(run),\n{\"name\": }]"), "--source", "s"], status: 1,
                 message: "syntax.json:3: malformed JSON"),
        BadInput(args: ["runs", "import", try f.text("nul.csv", "name,params,tokens,web_crawl,vqa_avg\na,3B,50B,100,40\u{0}\n"), "--source", "s"], status: 1,
                 message: "nul.csv:2: column vqa_avg: '40\\0' is not a finite number"),
        BadInput(args: ["runs", "import", try f.text("nulname.json", "[" + run.replacingOccurrences(of: #""a""#, with: #""a\u0000b""#) + "]"), "--source", "s"],
                 status: 1, message: "name holds a NUL byte"),
        BadInput(args: ["runs", "import", try f.text("long.json", "[" + run.replacingOccurrences(of: #""a""#, with: "\"\(longName)\"") + "]"), "--source", "s"],
                 status: 1, message: "name is 5000 characters; the limit is 1024"),
        BadInput(args: ["runs", "import", try f.text("deep.json", String(repeating: "[", count: 300) + String(repeating: "]", count: 300)), "--source", "s"],
                 status: 1, message: "nested deeper than 256 levels"),
        BadInput(args: ["runs", "import", f.path("absent.csv"), "--source", "s"], status: 1, message: "cannot read the file"),
        // Weight columns: of a source the label does not have, not a number, or not adding up to 1 (or 100).
        BadInput(args: ["runs", "import", try f.text("wa.csv", "run,params,tokens,weight_web_crawl,weight_arxiv,vqa_avg\na,1e9,1e10,50,50,30\n"), "--source", "s"],
                 status: 1, message: "wa.csv:1: column 5 'weight_arxiv' is the weight of source 'arxiv', which is not a source of this label"),
        BadInput(args: ["runs", "import", try f.text("wm.csv", "run,params,tokens,weight_web_crawl,w_code,vqa_avg\na,1e9,1e10,50,5O,30\n"), "--source", "s"],
                 status: 1, message: "wm.csv:2: column w_code: '5O' is not a finite number"),
        BadInput(args: ["runs", "import", try f.text("ws.csv", "run,params,tokens,weight_web_crawl,w_code,vqa_avg\na,1e9,1e10,50,50,30\nb,1e9,1e10,50,30,30\n"), "--source", "s"],
                 status: 1, message: "ws.csv:3: mixture weights (weight_web_crawl … w_code, columns 4–5) sum to 80, expected 100 (percent, within 2%)"),
        // Sources: a catalogue file that is not one, and other sources for a label that has runs.
        BadInput(args: ["runs", "import", try f.text("ok.json", "[\(run)]"), "--source", "s", "--sources", try f.text("one.csv", "name\nweb\n")],
                 status: 1, message: "refused: --sources \(f.path("one.csv")): a catalogue holds 2 to 32 sources, not 1"),
        BadInput(args: ["runs", "import", try f.text("pile.csv", "run,params,tokens,weight_pile_cc,weight_github,pile_cc_loss\na,1e6,1e9,0.5,0.5,5.1\n"),
                        "--source", "paper", "--sources", repoRoot.appendingPathComponent("examples/regmix/pile-sources.csv").path],
                 status: 1, message: "source label 'paper' already holds 13 run(s) with weights over the built-in sources"),
    ]
}

/// Every case of the catalogue gets its status and message, and the database holds exactly
/// what it held before (compared as an SQL dump, not as bytes).
@Test func badInputCatalogueOverTheCommandLine() throws {
    let dir = scratchDirectory()
    let db = dir.appendingPathComponent("catalogue.sqlite").path
    let seed = repoRoot.appendingPathComponent("data/reference/paper-mixtures.csv").path
    #expect(try runCLI(["runs", "import", seed, "--source", "paper"], db: db).status == 0)
    let files = CatalogueFiles(dir: dir)
    _ = try files.text("plain-file.txt", "not a folder")
    let cases = try sweepCases(files) + trainingCases(files, db: db) + planningCases(files) + importCases(files)
    #expect(cases.count >= 50)
    let before = try DatabaseDump.text(db)
    var env = ProcessInfo.processInfo.environment
    env["VISIONMIX_TOKEN"] = nil
    for c in cases {
        let r = try runCLI(c.args, db: c.db ? db : nil, environment: env.merging(c.env) { $1 })
        #expect(r.status == c.status, "\(c): exit \(r.status); \(r.stderr)")
        #expect(r.stderr.contains(c.message), "\(c): \(r.stderr)")
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Missing value"), "\(c): \(r.stderr)")
        #expect(try DatabaseDump.text(db) == before, "\(c) changed the database")
    }
    #expect(!FileManager.default.fileExists(atPath: "/etc/cat"))
}
