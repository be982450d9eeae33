import ArgumentParser
import Foundation
import Store
import VisionMixCore
import World

struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import, list, show and export stored runs.",
        subcommands: [Import.self, List.self, Show.self, Export.self, Sources.self]
    )
}

extension Runs {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import results trained elsewhere (CSV wide or tidy, or JSON), all rows or none.",
            discussion: """
                Sizes as params_b or with suffixes (340M, 1.2B); tokens as tokens_b or suffixes (50B, 1T). \
                Mixture columns are named by source (or weight_<source>, w_<source>), as percentages or \
                fractions, or given as reasoning_pct/visual_pct (or _share). The sources are the label's: \
                the built-in six unless --sources FILE declares others (CSV or JSON: name, and optionally \
                reasoning_share, visual_share, available_tokens), kept with the label for fit, predict, \
                recommend and report. Every other numeric column is a metric. Lines starting with # are \
                comments. Re-importing a file adds nothing.
                """
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The CSV or JSON file.") var file: String
        @Option(help: "Label for where these results came from (e.g. paper, cluster-a).") var source: String
        @Option(help: "Mixture for rows that give none (a preset or source=weight list).") var mix: String?
        @Option(help: "Declare the label's sources from this CSV or JSON file (2 to 32 sources; see above).") var sources: String?
        @Flag(help: "Print the summary as JSON.") var json = false

        func run() throws {
            guard MetricCatalogue.isValidName(source) else { throw UserError("--source must be a plain label (letters, digits, _)") }
            let declared: SourceCatalogue?
            do { declared = try sources.map { try CatalogueFile.read(path: $0) } } catch let e as ImportError {
                throw UserError("refused: --sources \(e.description) (nothing was imported)")
            }
            // The label's catalogue, read without writing: a refused file leaves the store as it was, or absent.
            let stored = try ResultStore.declaredCatalogue(path: global.databasePath, label: source)
            if let declared, let stored, declared != stored {
                throw UserError("refused: source label '\(source)' already declares other sources (\(stored.namesForMessages)); "
                                + "a label keeps one catalogue, so import under a new label (nothing was imported)")
            }
            let catalogue = declared ?? stored ?? .builtin
            let defaultMix: Mixture?
            do { defaultMix = try mix.map { try MixtureSpec.parse($0, catalogue: catalogue).mixture } } catch let e as MixtureError {
                throw UserError("--mix: \(e.description)")
            }
            // The file is read completely before anything is written: a refused file changes nothing.
            let parsed: ResultFile
            do { parsed = try ResultFile.read(path: file, defaultMixture: defaultMix, catalogue: catalogue) } catch let e as ImportError {
                throw UserError("refused: \(e.description) (nothing was imported)")
            }
            let store = try global.openStore()
            let out: ResultStore.InsertOutcome
            do { out = try store.insertRuns(parsed.runs, label: source, origin: "import", catalogue: declared) } catch let e as CatalogueConflict {
                throw UserError("refused: \(e.description) (nothing was imported)")
            }
            struct Summary: Encodable {
                let file: String, source: String, format: String, rows: Int, imported: Int, already_present: Int
                let new_metrics: [String], notices: [String]
            }
            let s = Summary(file: file, source: source, format: parsed.format.rawValue, rows: parsed.runs.count,
                            imported: out.inserted.count, already_present: out.skipped, new_metrics: out.newMetrics,
                            notices: parsed.notices)
            if json { try printJSON(s); return }
            for n in parsed.notices { note("note: \(n)") }
            print("\(file) (\(parsed.format.rawValue)): \(out.inserted.count) new run(s) under '\(source)', \(out.skipped) already present")
            if !out.newMetrics.isEmpty { print("custom metrics added: " + out.newMetrics.joined(separator: ", ")) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored runs.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only runs with this source label.") var source: String?
        @Option(help: "Only this many runs.") var limit: Int?
        @Option(help: "Skip this many runs first.") var offset = 0
        @Flag(help: "Print a JSON array.") var json = false

        func run() throws {
            if let limit { try Checks.within(limit, 1...Int(Int32.max), option: "--limit") }
            try Checks.within(offset, 0...Int(Int32.max), option: "--offset")
            let runs = try global.openStore().runs(RunFilter(source: source, limit: limit, offset: offset))
            if json { try printJSON(runs); return }
            if runs.isEmpty { print("no runs" + (source.map { " under '\($0)'" } ?? "")); return }
            let metrics = orderedMetrics(runs).prefix(6)
            var t = TextTable(["id", "source", "name", "params", "tokens", "seed", "reasoning", "visual"] + metrics)
            for r in runs {
                var row: [String] = ["\(r.id)", r.source, r.name ?? "", Quantity.format(r.params), Quantity.format(r.tokens)]
                row.append(r.seed.map(String.init) ?? "")
                row.append(percentCell(r.reasoningShare))
                row.append(percentCell(r.visualShare))
                for m in metrics { row.append(r.scores[m].map { fmt($0) } ?? "") }
                t.add(row)
            }
            print(t.render())
            let more = orderedMetrics(runs).count - metrics.count
            print("\(runs.count) run(s)" + (more > 0 ? "; \(more) more metric(s) in `runs show ID` or --json" : ""))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one run with every score and its provenance.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The run id.") var id: Int64
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            guard let r = try global.openStore().run(id: id) else { throw UserError("no run with id \(id)") }
            if json { try printJSON(r); return }
            print("run \(r.id)\(r.name.map { " (\($0))" } ?? "") · source \(r.source) · \(r.origin) · \(r.status)")
            print("model \(Quantity.format(r.params)) parameters · \(Quantity.format(r.tokens)) tokens"
                  + (r.seed.map { " · seed \($0)" } ?? ""))
            if let m = r.mixture {
                print("mixture: \(m.description)")
                print(m.sharesDescription)
            }
            var t = TextTable(["metric", "value"])
            for m in orderedMetrics([r]) { t.add([m, fmt(r.scores[m]!, 3)]) }
            print(t.render())
            // Where the group scores come from: each question family's accuracy, in the
            // World's family order (runs trained by the embedded pipeline record it).
            if case .object(let families)? = r.provenance["family_accuracy"] {
                var f = TextTable(["family", "groups", "accuracy"])
                for family in QuestionFamily.allCases {
                    guard case .number(let v)? = families[family.rawValue] else { continue }
                    f.add([family.rawValue, family.groups.map(\.rawValue).joined(separator: ", "), fmt(v, 1)])
                }
                print(f.render())
            }
            if !r.provenance.isEmpty { print("provenance: \(JSONValue.object(r.provenance).compactString)") }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export runs as wide CSV or JSON (both import back).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only runs with this source label.") var source: String?
        @Option(help: "csv or json.") var format = "csv"
        @Option(help: "Write to this file instead of stdout.") var out: String?

        func run() throws {
            let runs = try global.openStore().runs(RunFilter(source: source))
            let text: String
            switch format {
            case "json":
                let e = JSONEncoder()
                e.outputFormatting = [.prettyPrinted, .sortedKeys]
                text = String(decoding: try e.encode(runs), as: UTF8.self) + "\n"
            case "csv": text = exportCSV(runs)
            default: throw UserError("--format must be csv or json")
            }
            if let out { try text.write(toFile: out, atomically: true, encoding: .utf8); note("wrote \(runs.count) run(s) to \(out)") }
            else { print(text, terminator: "") }
        }
    }

    struct Sources: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the source labels in the store with their run counts, or one label's source catalogue.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Show the sources (catalogue) of this label.") var label: String?
        @Flag(help: "Print JSON.") var json = false
        func run() throws {
            let store = try global.openStore()
            if let label {
                let catalogue = try store.catalogue(label: label)
                if json { try printJSON(catalogue); return }
                var t = TextTable(["source", "reasoning", "visual", "available tokens"])
                for s in catalogue.sources {
                    t.add([s.name, percentCell(s.reasoningShare), percentCell(s.visualShare), s.availableTokens.map(Quantity.format) ?? ""])
                }
                print(t.render())
                print("\(catalogue.count) sources" + (catalogue.isBuiltin ? " (the built-in catalogue)" : " declared for '\(label)'"))
                return
            }
            let labels = try store.labels()
            let declared = try store.declaredCatalogues()
            if json { try printJSON(Dictionary(uniqueKeysWithValues: labels.map { ($0.label, $0.runs) })); return }
            var t = TextTable(["source", "runs", "sources"])
            for l in labels { t.add([l.label, "\(l.runs)", declared[l.label].map { "\($0.count) declared" } ?? "built-in"]) }
            print(t.render())
        }
    }
}

func percentCell(_ share: Double?) -> String {
    guard let share else { return "" }
    return fmt(share * 100, 1) + "%"
}

/// Metric names present in `runs`, catalogue order first, then custom ones alphabetically.
func orderedMetrics(_ runs: [StoredRun]) -> [String] {
    let present = Set(runs.flatMap { $0.scores.keys })
    let known = MetricCatalogue.standard.map(\.name).filter(present.contains)
    return known + present.subtracting(known).sorted()
}

func exportCSV(_ runs: [StoredRun]) -> String {
    let metrics = orderedMetrics(runs)
    let sharesOnly = runs.contains { $0.mixture?.isSharesOnly == true }
    // Every source the runs' catalogues name, in catalogue order (the built-in ones first when present).
    var sources: [String] = []
    for r in runs { for n in r.mixture.flatMap({ $0.isSharesOnly ? nil : $0.catalogue.names }) ?? [] where !sources.contains(n) { sources.append(n) } }
    let builtinOnly = runs.allSatisfy { $0.mixture.map { $0.isSharesOnly || $0.catalogue.isBuiltin } ?? true }
    var header = ["run", "params", "tokens", "seed"]
    // Built-in sources export under their bare names, as the paper's tables name them; others
    // as weight_<source>, which no metric name can be mistaken for.
    header += sources.map { builtinOnly ? $0 : "weight_" + $0 }
    if sharesOnly { header += ["reasoning_pct", "visual_pct"] }
    // Chance levels travel with the scores, so an export imports back with them.
    let chanceMetrics = metrics.filter { m in runs.contains { $0.chance[m] != nil } }
    header += metrics + chanceMetrics.map { "chance:" + $0 }
    var lines = [header.joined(separator: ",")]
    func g(_ x: Double) -> String { String(format: "%.10g", x) }
    for r in runs {
        var row = [csvField(r.name ?? ""), g(r.params), g(r.tokens), r.seed.map(String.init) ?? ""]
        row += sources.map { s in r.mixture?.fractions != nil ? g(r.mixture!.weight(named: s) * 100) : "" }
        if sharesOnly {
            let m = r.mixture?.isSharesOnly == true ? r.mixture : nil
            row += [m.map { g($0.reasoningShare! * 100) } ?? "", m.map { g($0.visualShare! * 100) } ?? ""]
        }
        row += metrics.map { r.scores[$0].map(g) ?? "" } + chanceMetrics.map { r.chance[$0].map(g) ?? "" }
        lines.append(row.joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
}

func csvField(_ s: String) -> String {
    s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
}

struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The catalogue of metric names (and any custom ones imported).")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON.") var json = false
    func run() throws {
        let metrics = try global.openStore().metrics()
        if json {
            struct M: Encodable { let name: String, group: String, higher_is_better: Bool, about: String, custom: Bool }
            try printJSON(metrics.map { M(name: $0.name, group: $0.groupName, higher_is_better: $0.higherIsBetter, about: $0.about, custom: $0.custom) })
            return
        }
        var t = TextTable(["metric", "group", "better", "about"])
        for m in metrics { t.add([m.name, m.groupName, m.higherIsBetter ? "higher" : "lower", m.about]) }
        print(t.render())
    }
}
