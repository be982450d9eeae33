import Foundation
import VisionMixCore

/// CSV results: wide (one row per run, one column per metric, as paper-mixtures.csv) or
/// tidy (one row per run and metric, with category/metric and score/value columns, as
/// paper-scaling.csv).
enum CSVResults {
    static func parse(_ text: String, catalogue: SourceCatalogue) throws -> ResultFile {
        let records = try CSVReader.records(text)
        guard let header = records.first else { throw ImportError(line: nil, reason: "the file holds no header row") }
        let headers = header.fields.map { $0.trimmedSpaces }
        var roles: [ColumnRole] = []
        var seen = Set<String>()
        for (index, h) in headers.enumerated() {
            let key = h.lowercased()
            if key.isEmpty { throw ImportError(line: header.line, reason: "a column has an empty header") }
            if !seen.insert(key).inserted { throw ImportError(line: header.line, reason: "column \(h) appears twice") }
            if let s = ColumnRole.looksLikeSource(key, catalogue: catalogue) {
                throw ImportError(line: header.line, reason: "column \(index + 1): unknown source column '\(h)' (did you mean \(s)?)")
            }
            guard let role = ColumnRole.classify(h, catalogue: catalogue) else {
                throw ImportError(line: header.line, reason: "column '\(h)' is not a valid metric name (letters, digits, _)")
            }
            if case let .unknownSourceWeight(name) = role {
                throw ImportError(line: header.line, reason: "column \(index + 1) '\(h)' is the weight of source '\(name)', which is not a source "
                                  + "of this label (" + sourcesInWords(catalogue) + (catalogue.suggestion(for: name).map { "; did you mean \($0)?" } ?? "")
                                  + "); declare the label's sources with --sources FILE; nothing was imported")
            }
            roles.append(role)
        }
        let has = { (p: (ColumnRole) -> Bool) in roles.contains(where: p) }
        let tidy = has { if case .tidyMetric = $0 { true } else { false } }
        if tidy != has({ if case .tidyValue = $0 { true } else { false } }) {
            throw ImportError(line: header.line, reason: "a tidy file needs both a category (or metric) and a score (or value) column")
        }
        guard has({ if case .params = $0 { true } else { false } }) else {
            throw ImportError(line: header.line, reason: "no model-size column (params, params_b or params_m)")
        }
        guard has({ if case .tokens = $0 { true } else { false } }) else {
            throw ImportError(line: header.line, reason: "no token column (tokens, tokens_b or tokens_m)")
        }
        let metricColumns = Set(roles.compactMap { if case let .metric(m) = $0 { m } else { nil } })
        for case let .chance(m) in roles where !metricColumns.contains(m) {
            throw ImportError(line: header.line, reason: "column chance:\(m) has no \(m) column to go with")
        }
        let sourceColumns = roles.contains { if case .source = $0 { true } else { false } }
        let weightColumns = columnSpan(headers.indices.filter { if case .source = roles[$0] { true } else { false } }, headers: headers)
        let unknownMetricColumns = zip(headers, roles).compactMap { h, r -> String? in
            if case let .metric(m) = r, !MetricCatalogue.isKnown(m) { return h }
            return nil
        }
        if !sourceColumns, let looksLikeWeights = unnamedWeightColumns(records: records, headers: headers, roles: roles) {
            throw ImportError(line: header.line, reason: "columns " + looksLikeWeights.joined(separator: ", ")
                              + " add up to 1 (or 100) on every row: they look like mixture weights, which would be stored as scores. "
                              + "Name each weight column weight_<source> (" + sourcesInWords(catalogue)
                              + "; declare other sources with --sources FILE); nothing was imported")
        }

        // Percent or fraction: decided once per file from the largest row sum.
        var scale = WeightScale.fraction
        var notices: [String] = []
        if sourceColumns {
            var maxSum = 0.0
            for rec in records.dropFirst() {
                var sum = 0.0
                for (i, r) in roles.enumerated() where i < rec.fields.count {
                    if case .source = r, let v = Double(strict: rec.fields[i].trimmedSpaces), v.isFinite { sum += v }
                }
                maxSum = max(maxSum, sum)
            }
            scale = maxSum > 1.5 ? .percent : .fraction
            notices.append("read the mixture columns as \(scale == .percent ? "percentages" : "fractions")")
        }

        var runs: [NewRun] = []
        var tidyIndex: [String: Int] = [:]
        var tidyLines: [String: Int] = [:]
        var normalised = 0
        for rec in records.dropFirst() {
            let line = rec.line
            guard rec.fields.count == headers.count else {
                throw ImportError(line: line, reason: "\(rec.fields.count) fields, the header has \(headers.count)")
            }
            var run = NewRun(params: 0, tokens: 0, mixture: nil, scores: [:])
            var gotParams = false, gotTokens = false
            var weights = [Double](repeating: 0, count: catalogue.count)
            var gotWeights = false
            var reasoning: Double?, visual: Double?
            var tidyMetric: String?, tidyValue: Double?
            for (i, role) in roles.enumerated() {
                let cell = rec.fields[i].trimmedSpaces
                let col = headers[i]
                switch role {
                case .name: run.name = cell.isEmpty ? nil : cell
                case .attribute: if !cell.isEmpty { run.attributes[col.lowercased()] = cell }
                case .seed:
                    if !cell.isEmpty {
                        guard let s = Int(cell) else { throw ImportError(line: line, reason: "column seed: '\(cell)' is not an integer") }
                        run.seed = s
                    }
                case let .params(mult):
                    if let v = try countCell(cell, column: col, multiplier: mult, line: line) {
                        guard v > 0 else { throw ImportError(line: line, reason: "column \(col): model size must be positive") }
                        run.params = v; gotParams = true
                    }
                case let .tokens(mult):
                    if let v = try countCell(cell, column: col, multiplier: mult, line: line) { run.tokens = v; gotTokens = true }
                case let .source(s):
                    if let v = try numberCell(cell, column: col, line: line) { weights[s] = v; gotWeights = true }
                case let .reasoning(sc):
                    reasoning = try numberCell(cell, column: col, line: line).map { sc == .percent ? $0 / 100 : $0 }
                case let .visual(sc):
                    visual = try numberCell(cell, column: col, line: line).map { sc == .percent ? $0 / 100 : $0 }
                case .tidyMetric: tidyMetric = cell.lowercased()
                case .tidyValue: tidyValue = try numberCell(cell, column: col, line: line)
                case let .metric(m):
                    if let v = try numberCell(cell, column: col, line: line) { run.scores[m] = v }
                case let .chance(m):
                    if let v = try numberCell(cell, column: col, line: line) { run.chance[m] = try chanceLevel(v, of: m, line: line) }
                case .unknownSourceWeight: break   // refused with the header
                }
            }
            if let m = run.chance.keys.sorted().first(where: { run.scores[$0] == nil }) {
                throw ImportError(line: line, reason: "chance:\(m) is given but the \(m) score is empty")
            }
            guard gotParams else { throw ImportError(line: line, reason: "the model size is empty") }
            guard gotTokens else { throw ImportError(line: line, reason: "the token count is empty") }
            if gotWeights {
                run.mixture = try mixtureFromRow(weights, catalogue: catalogue, scale: scale, line: line, columns: weightColumns,
                                                 unknownColumns: unknownMetricColumns)
                let sum = weights.reduce(0) { $0 + $1 }
                if abs(sum - (scale == .percent ? 100 : 1)) > 1e-9 { normalised += 1 }
            } else if reasoning != nil || visual != nil {
                guard let r = reasoning, let v = visual else {
                    throw ImportError(line: line, reason: "a shares-only mixture needs both the reasoning and the visual share")
                }
                do { run.mixture = try Mixture(reasoningShare: r, visualShare: v) } catch let e as MixtureError {
                    throw ImportError(line: line, reason: e.description)
                }
            }
            run.provenance["import_line"] = .number(Double(line))
            if tidy {
                guard let m = tidyMetric, !m.isEmpty else { throw ImportError(line: line, reason: "the category is empty") }
                guard MetricCatalogue.isValidName(m) else {
                    throw ImportError(line: line, reason: "'\(m)' is not a valid metric name (letters, digits, _)")
                }
                guard let v = tidyValue else { throw ImportError(line: line, reason: "the score is empty") }
                let key = run.key
                if let idx = tidyIndex[key] {
                    if runs[idx].scores[m] != nil {
                        throw ImportError(line: line, reason: "\(m) is given twice for the same run (first on line \(tidyLines[key + "|" + m]!))")
                    }
                    runs[idx].scores[m] = v
                } else {
                    run.scores[m] = v
                    tidyIndex[key] = runs.count
                    runs.append(run)
                }
                tidyLines[key + "|" + m] = line
            } else {
                runs.append(run)
            }
        }
        if normalised > 0 {
            notices.append("\(normalised) row(s) whose weights did not sum exactly to \(scale == .percent ? "100" : "1") were normalised")
        }
        return ResultFile(format: tidy ? .tidyCSV : .wideCSV, runs: runs, notices: notices)
    }
}

/// Unknown metric columns (two or more, not named as losses) whose values are non-negative and
/// add up to 1 or to 100 on every row: mixture weights under names that do not say so. Nil when
/// there are none.
func unnamedWeightColumns(records: [CSVRecord], headers: [String], roles: [ColumnRole]) -> [String]? {
    let columns = roles.indices.filter { i in
        if case let .metric(m) = roles[i] { return !MetricCatalogue.isKnown(m) && MetricCatalogue.higherIsBetter(m) }
        return false
    }
    let rows = records.dropFirst()
    guard columns.count >= 2, !rows.isEmpty else { return nil }
    for rec in rows {
        guard rec.fields.count == headers.count else { return nil }
        var sum = 0.0
        for i in columns {
            guard let v = Double(rec.fields[i].trimmedSpaces), v.isFinite, v >= 0 else { return nil }
            sum += v
        }
        guard abs(sum - 1) < 1e-3 || abs(sum - 100) < 1e-1 else { return nil }
    }
    return columns.map { headers[$0] }
}

/// The sources of a catalogue for a message: which ones, or that they are the built-in six.
func sourcesInWords(_ catalogue: SourceCatalogue) -> String {
    (catalogue.isBuiltin ? "the built-in sources are " : "its sources are ") + catalogue.namesForMessages
}

/// Columns for a message, with their 1-based positions: `weight_a (column 2)`, or the first and
/// last of several: `weight_a … weight_q (columns 2–18)`.
func columnSpan(_ indices: [Int], headers: [String]) -> String {
    guard let first = indices.first, let last = indices.last else { return "" }
    if first == last { return "\(headers[first]) (column \(first + 1))" }
    let range = indices.count == last - first + 1 ? "columns \(first + 1)–\(last + 1)" : "columns " + indices.map { String($0 + 1) }.joined(separator: ", ")
    return "\(headers[first]) … \(headers[last]), \(range)"
}

/// A chance level is an accuracy in percent: 0–100.
func chanceLevel(_ v: Double, of metric: String, line: Int?) throws -> Double {
    guard v.isFinite, v >= 0, v <= 100 else {
        throw ImportError(line: line, reason: "chance:\(metric) must be a percentage from 0 to 100, not \(v)")
    }
    return v
}
