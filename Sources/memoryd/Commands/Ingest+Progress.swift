import Foundation
import MemoryIngest
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Ingest {
    /// One status line on stderr, redrawn in place while a large file is read: lines, bytes
    /// (of the file's size), lines/s and MiB/s. Only when stderr is a terminal (never into a
    /// pipe or a log), at most every `interval`, and not before a pass has run that long, so
    /// small files never show it.
    final class ProgressDisplay: Sendable {
        private struct State {
            var source = ""
            var startedAt: Double = 0
            var baseLines = 0
            var baseBytes: Int64 = 0
            var drawnAt: Double?
            var drawn = false
        }

        private let enabled: Bool
        private let interval: Double
        private let now: @Sendable () -> Double
        private let output: @Sendable (String) -> Void
        private let state = Mutex(State())

        init(isTerminal: Bool = isatty(STDERR_FILENO) == 1, interval: Double = 0.25,
             now: @escaping @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 },
             output: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
            enabled = isTerminal
            self.interval = interval
            self.now = now
            self.output = output
        }

        func update(_ progress: EnvelopeIngestor.Progress) {
            guard enabled else { return }
            let time = now()
            let text: String? = state.withLock { state in
                let key = "\(progress.source)@\(progress.startedAt)"
                if state.source != key {
                    // A new pass: rates are measured from its first committed chunk on.
                    state = State(source: key, startedAt: time, baseLines: progress.lines, baseBytes: progress.bytes)
                    return nil
                }
                let elapsed = time - state.startedAt
                guard elapsed >= interval, time - (state.drawnAt ?? state.startedAt) >= interval else { return nil }
                state.drawnAt = time
                state.drawn = true
                return Self.line(progress, rate: (Double(progress.lines - state.baseLines) / elapsed,
                                                  Double(progress.bytes - state.baseBytes) / elapsed))
            }
            if let text { output("\r\u{1B}[K" + text) }
        }

        /// Removes the status line, if one is shown, before other output.
        func clear() {
            guard enabled else { return }
            let drawn = state.withLock { state in
                defer { state.drawn = false; state.source = "" }
                return state.drawn
            }
            if drawn { output("\r\u{1B}[K") }
        }

        /// `rate`: lines and bytes per second.
        static func line(_ p: EnvelopeIngestor.Progress, rate: (lines: Double, bytes: Double)) -> String {
            let mib = 1_048_576.0
            var text = "\((p.source as NSString).lastPathComponent): \(grouped(p.lines)) lines, "
            let read = String(format: "%.1f", Double(p.bytes) / mib)
            if let size = p.size, size > p.startedAt {
                let percent = Int(Double(p.bytes) * 100 / Double(size - p.startedAt))
                text += "\(read) of \(String(format: "%.1f", Double(size - p.startedAt) / mib)) MiB (\(percent)%)"
            } else {
                text += "\(read) MiB"
            }
            text += ", \(grouped(Int(rate.lines))) lines/s, \(String(format: "%.1f", rate.bytes / mib)) MiB/s"
            return text
        }

        private static func grouped(_ n: Int) -> String {
            let digits = Array(String(n))
            var out = ""
            for (i, d) in digits.enumerated() {
                if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
                out.append(d)
            }
            return out
        }
    }
}
