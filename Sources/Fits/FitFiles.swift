import Foundation
import Laws
import VisionMixCore

/// Fits as files: an export of stored fits (`DIR/<source>/<category>.json`) and the explicit
/// way to plan from such an export. A file is never read unless its folder is named, and one
/// fitted for another source, or by another version of the fitter, is refused.
public enum FitFiles {
    public struct Refusal: Error, CustomStringConvertible, Equatable {
        public let description: String
        init(_ d: String) { description = d }
    }

    /// Checks that the fits of `source` can be exported into `dir` (a folder, or a path where
    /// one can be made, and a source that is a plain label), before anything is fitted or stored.
    public static func checkExport(source: String, to dir: String) throws {
        guard MetricCatalogue.isValidName(source) else { throw Refusal("source '\(source)' is not a plain label; nothing was written") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw Refusal("--fits-dir '\(dir)' is a file, not a folder")
        }
    }

    /// Writes `DIR/<source>/<category>.json` for each fit and returns the paths. The source and
    /// category become path components, so each must be a plain label.
    @discardableResult
    public static func export(_ fits: [FitResult], source: String, to dir: String) throws -> [String] {
        try checkExport(source: source, to: dir)
        let folder = URL(fileURLWithPath: dir).appendingPathComponent(source)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try fits.map { fit in
            guard MetricCatalogue.isValidName(fit.category) else { throw Refusal("category '\(fit.category)' is not a plain label") }
            let url = folder.appendingPathComponent("\(fit.category).json")
            var data = try FitJSON.encode(fit)
            data.append(contentsOf: Array("\n".utf8))
            try data.write(to: url, options: .atomic)
            return url.path
        }
    }

    /// The fits exported for `source` under `dir`, each checked to be of that source and of
    /// the current fitter.
    public static func read(source: String, from dir: String) throws -> [FitResult] {
        guard MetricCatalogue.isValidName(source) else { throw Refusal("source '\(source)' is not a plain label") }
        let folder = URL(fileURLWithPath: dir).appendingPathComponent(source)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
            throw Refusal("no fit files for source '\(source)': \(folder.path) is not a folder")
        }
        let files = names.filter { $0.hasSuffix(".json") }.sorted()
        guard !files.isEmpty else { throw Refusal("no fit files (*.json) in \(folder.path)") }
        return try files.map { name in
            let path = folder.appendingPathComponent(name).path
            let fit: FitResult
            do { fit = try FitJSON.decode(Data(contentsOf: URL(fileURLWithPath: path))) } catch {
                throw Refusal("\(path) is not a fit file: \(error)")
            }
            guard fit.source == source else {
                throw Refusal("\(path) was fitted for source '\(fit.source ?? "unknown")', not '\(source)'")
            }
            guard fit.fitter == FitResult.currentFitter else {
                throw Refusal("\(path) was written by " + (fit.fitter.map { "version \($0) of the fitter" } ?? "an older fitter")
                              + ", not the current version \(FitResult.currentFitter); refit and export it again")
            }
            return fit
        }
    }
}
