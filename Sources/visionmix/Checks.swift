import Foundation
import VisionMixCore

/// Checks of option values against `Limits`, shared by the commands so each limit reads the
/// same everywhere it applies. Each runs before the command opens the store or starts work.
enum Checks {
    /// A pre-training budget: a count from 1 token to `Limits.maxRunTokens`.
    static func runTokens(_ text: String, option: String = "--tokens") throws -> Double {
        guard let t = Quantity.parse(text), t >= 1 else { throw UserError("\(option) must be a count like 2M or 500K (got '\(text.prefix(80))')") }
        guard t <= Limits.maxRunTokens else {
            throw UserError("\(option) \(text) is past the limit of \(Quantity.format(Limits.maxRunTokens)) tokens a run")
        }
        return t
    }

    /// An integer option within its limits, named in the message.
    static func within(_ value: Int, _ range: ClosedRange<Int>, option: String) throws {
        guard range.contains(value) else { throw UserError("\(option) must be from \(range.lowerBound) to \(range.upperBound) (got \(value))") }
    }

    /// A file the command will write at the end: its folder must exist and the path must not
    /// be a folder, checked first so a bad path fails before anything is computed or stored.
    static func writableFile(_ path: String, option: String) throws {
        var isDir: ObjCBool = false
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw UserError("\(option) \(path): the folder \(folder) does not exist; nothing was computed or stored")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            throw UserError("\(option) \(path) is a folder; give a file path")
        }
    }

    static func threads(_ n: Int) throws { try within(n, 1...Limits.maxThreads, option: "--threads") }

    /// ArgumentParser reads `--params -3B` as the option without a value followed by a flag
    /// `-3B`, and says "Missing value". A value that looks like a negative number is joined to
    /// its option (`--params=-3B`), so the option's own check says what is wrong with it.
    static func joiningNegativeValues(_ args: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            if a.hasPrefix("--"), !a.contains("="), i + 1 < args.count, looksNegative(args[i + 1]) {
                out.append("\(a)=\(args[i + 1])"); i += 2; continue
            }
            out.append(a); i += 1
        }
        return out
    }

    static func looksNegative(_ s: String) -> Bool {
        guard s.hasPrefix("-"), let c = s.dropFirst().first else { return false }
        return c.isNumber || c == "."
    }
}
