import Foundation

/// A sweep on a Slurm cluster: its units run as the tasks of a job array (task i runs unit i
/// with `visionmix sweep work`), each writing a result file into the shared working directory,
/// and `sweep collect` stores them. Job ids are kept in `DIR/jobs.tsv`; what a unit is doing is
/// read from `squeue`, `scontrol show job` and the result files, so no accounting database
/// (sacct) is needed.
public struct SlurmSweep {
    public struct Options: Sendable {
        public var partition: String?
        public var time: String?
        public var cpusPerTask = 1
        public var mem: String?
        public var maxParallel: Int?
        /// Passed to sbatch as they are (`--account=x`, `--qos=y`).
        public var extraArguments: [String] = []
        public var threads = 1
        public init() {}
    }

    public let workdir: WorkDir
    /// The `visionmix` binary the array tasks run (on a shared filesystem on a real cluster).
    public let executable: String

    public init(workdir: WorkDir, executable: String) {
        self.workdir = workdir
        self.executable = executable
    }

    public var scriptURL: URL { workdir.url.appendingPathComponent("sweep.sbatch") }
    var jobsURL: URL { workdir.url.appendingPathComponent("jobs.tsv") }

    public struct Submission: Sendable {
        public var jobId: String?
        public var units: [Int]
        public var totalUnits: Int
        public var done: Int
        public var queued: Int
    }

    /// Writes the manifest and the batch script, and submits the units that have no result and
    /// are not queued or running, as one array. Returns at once.
    public func submit(_ spec: SweepSpec, options: Options) throws -> Submission {
        let units = try workdir.prepare(spec)
        try WorkDir.writeAtomically(Data(script(spec, options: options).utf8), to: scriptURL)
        let states = try SlurmQueue.states(jobs: jobIds())
        let done = units.filter { workdir.hasResult($0.unit) }.map(\.unit)
        let queued = units.map(\.unit).filter { !done.contains($0) && (states[$0]?.isActive ?? false) }
        let todo = units.map(\.unit).filter { !done.contains($0) && !queued.contains($0) }
        var out = Submission(jobId: nil, units: todo, totalUnits: units.count, done: done.count, queued: queued.count)
        guard !todo.isEmpty else { return out }
        // A unit resubmitted after a failure starts a fresh log; the old one is kept beside it.
        for u in todo where FileManager.default.fileExists(atPath: workdir.logURL(u).path) {
            let old = workdir.logURL(u).appendingPathExtension("previous")
            try? FileManager.default.removeItem(at: old)
            try FileManager.default.moveItem(at: workdir.logURL(u), to: old)
        }
        var array = SlurmQueue.ranges(todo)
        if let k = options.maxParallel { array += "%\(k)" }
        let id = try SlurmQueue.run("sbatch", ["--parsable", "--array=\(array)", scriptURL.path])
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else { throw SweepError.bad("sbatch printed no job id: '\(id)'") }
        let line = "\(id)\t\(array)\t\(ISO8601DateFormatter().string(from: Date()))\n"
        let previous = FileManager.default.contents(atPath: jobsURL.path) ?? Data()
        try WorkDir.writeAtomically(previous + Data(line.utf8), to: jobsURL)
        out.jobId = id
        return out
    }

    /// The job ids submitted for this working directory, oldest first.
    public func jobIds() -> [String] {
        guard let data = FileManager.default.contents(atPath: jobsURL.path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { $0.split(separator: "\t").first.map(String.init) }
    }

    /// A readable batch script: every directive on its own line, the worker's command last.
    func script(_ spec: SweepSpec, options o: Options) -> String {
        var lines = ["#!/bin/bash",
                     "# A task of this array runs unit $SLURM_ARRAY_TASK_ID of manifest.jsonl (visionmix sweep run --backend slurm).",
                     "#SBATCH --job-name=visionmix-\(spec.name)",
                     "#SBATCH --output=\(workdir.logsURL.path)/%a.log",
                     "#SBATCH --open-mode=append",
                     "# Preempted tasks go back to the queue; a requeued task resumes from its unit's saved state.",
                     "#SBATCH --requeue",
                     "#SBATCH --cpus-per-task=\(o.cpusPerTask)"]
        if let p = o.partition { lines.append("#SBATCH --partition=\(p)") }
        if let t = o.time { lines.append("#SBATCH --time=\(t)") }
        if let m = o.mem { lines.append("#SBATCH --mem=\(m)") }
        lines += o.extraArguments.map { "#SBATCH \($0)" }
        lines += ["",
                  "echo \"unit $SLURM_ARRAY_TASK_ID: job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname) at $(date -u +%FT%T.%3NZ), restart ${SLURM_RESTART_COUNT:-0}\"",
                  "exec \(shellQuote(executable)) sweep work --workdir \(shellQuote(workdir.url.path)) --unit \"$SLURM_ARRAY_TASK_ID\" --threads \(o.threads)",
                  ""]
        return lines.joined(separator: "\n")
    }

    /// Cancels every array submitted for this working directory; finished units keep their results.
    public func cancel() throws -> [String] {
        let ids = jobIds()
        if !ids.isEmpty { _ = try SlurmQueue.run("scancel", ids) }
        return ids
    }
}

func shellQuote(_ s: String) -> String {
    s.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+=:,@".contains($0) }) ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// What Slurm says about array tasks, from `squeue` (queued and running, and recently ended)
/// and `scontrol show job` (which keeps an ended job a few minutes longer).
public enum SlurmQueue {
    public struct TaskState: Sendable {
        public var jobId: String
        public var state: String
        /// Why a pending task waits (`Resources`, `BeginTime` after a requeue, ...).
        public var reason: String?
        public var isActive: Bool { ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED", "RESIZING", "SUSPENDED", "REQUEUE_HOLD", "REQUEUE_FED"].contains(state) }
    }

    /// The newest state of each unit (array task id) over `jobs`; later submissions win.
    public static func states(jobs: [String]) throws -> [Int: TaskState] {
        var out: [Int: TaskState] = [:]
        for job in jobs {
            // --states=all lists ended tasks too, for as long as the controller remembers them.
            guard let text = try? run("squeue", ["-h", "-r", "--states=all", "-j", job, "-o", "%i|%K|%T|%r"]) else { continue }
            for line in text.split(separator: "\n") {
                let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard f.count == 4, let task = Int(f[1]) else { continue }
                out[task] = TaskState(jobId: f[0], state: f[2], reason: f[3] == "None" || f[3].isEmpty ? nil : f[3])
            }
        }
        // squeue does not say how an ended task ended; scontrol keeps its exit code.
        for (task, s) in out where !s.isActive && s.state != "COMPLETED" {
            if let code = exitCode(s.jobId) { out[task]?.reason = "exit code \(code)" }
        }
        return out
    }

    /// `ExitCode=status:signal` of an array task from `scontrol show job`, while Slurm keeps it.
    static func exitCode(_ task: String) -> String? {
        guard let text = try? run("scontrol", ["-o", "show", "job", task]) else { return nil }
        return text.split(separator: " ").first { $0.hasPrefix("ExitCode=") }.map { String($0.dropFirst(9)) }
    }

    /// `0-3,5,7-8`: a list of array task ids as sbatch reads it.
    static func ranges(_ ids: [Int]) -> String {
        var parts: [String] = [], i = 0
        let s = ids.sorted()
        while i < s.count {
            var j = i
            while j + 1 < s.count && s[j + 1] == s[j] + 1 { j += 1 }
            parts.append(i == j ? "\(s[i])" : "\(s[i])-\(s[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    /// Runs a Slurm command and returns its output; a failure carries its stderr.
    @discardableResult
    static func run(_ tool: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { throw SweepError.bad("cannot run \(tool): \(error)") }
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let why = String(decoding: e, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw SweepError.bad("\(tool) \(args.joined(separator: " ")) failed (status \(p.terminationStatus))" + (why.isEmpty ? "" : ": \(why)"))
        }
        return String(decoding: o, as: UTF8.self)
    }
}
