import Foundation

/// A one-line progress bar with rate and ETA on stderr; silent when stderr is not a terminal,
/// so logs and pipes get only the per-item lines.
final class ProgressBar {
    let total: Double
    let label: String
    let start = Date()
    private var lastDraw = Date.distantPast
    let enabled = isatty(2) == 1

    /// Work finished before the bar started (a resumed sweep): it counts toward the
    /// percentage but not toward the pace the ETA is computed from.
    let alreadyDone: Double

    init(total: Double, label: String, alreadyDone: Double = 0) {
        self.total = max(total, 1e-9); self.label = label; self.alreadyDone = alreadyDone
    }

    /// `done` in the bar's units; `detail` follows the bar (e.g. "12.3K tok/s").
    func update(_ done: Double, detail: String = "", force: Bool = false) {
        guard enabled else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) > 0.2 else { return }
        lastDraw = now
        let f = min(1, max(0, done / total))
        let width = 28
        let filled = Int((f * Double(width)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let elapsed = now.timeIntervalSince(start)
        let pace = (done - alreadyDone) / max(elapsed, 1e-9)
        let eta = done - alreadyDone > 0.001 * total ? (total - done) / pace : .nan
        let line = String(format: "%@ %@ %5.1f%%  %@ elapsed, ETA %@  %@", label, bar, f * 100,
                          duration(elapsed), eta.isFinite ? duration(eta) : "—", detail)
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
    }

    /// Clears the bar so a normal line can be printed.
    func clear() { if enabled { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) } }

    func finish() { clear() }
}

/// 1h02m, 3m05s, 42s.
func duration(_ s: Double) -> String {
    guard s.isFinite else { return "—" }
    let t = Int(s.rounded())
    if t >= 3600 { return String(format: "%dh%02dm", t / 3600, (t % 3600) / 60) }
    if t >= 60 { return String(format: "%dm%02ds", t / 60, t % 60) }
    return "\(t)s"
}
