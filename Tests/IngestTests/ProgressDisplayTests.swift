import Foundation
import MemoryIngest
import Synchronization
import Testing

@testable import memoryd

/// The progress line of `memoryd ingest`: only on a terminal, throttled, with lines, bytes and rates.
@Suite struct ProgressDisplayTests {
    final class Screen: Sendable {
        let clock = Mutex(0.0)
        let writes = Mutex<[String]>([])
        func advance(_ seconds: Double) { clock.withLock { $0 += seconds } }
        var all: [String] { writes.withLock { $0 } }
    }

    private func display(_ screen: Screen, terminal: Bool) -> Ingest.ProgressDisplay {
        Ingest.ProgressDisplay(isTerminal: terminal, interval: 0.25, now: { screen.clock.withLock { $0 } },
                               output: { text in screen.writes.withLock { $0.append(text) } })
    }

    private func progress(_ lines: Int, _ bytes: Int64) -> EnvelopeIngestor.Progress {
        .init(source: "/data/big.jsonl", lines: lines, bytes: bytes, size: 100 << 20, startedAt: 0)
    }

    @Test func nothingIsWrittenWhenStderrIsNotATerminal() {
        let screen = Screen()
        let display = display(screen, terminal: false)
        for n in 1...20 {
            screen.advance(1)
            display.update(progress(n * 5_000, Int64(n) << 20))
        }
        display.clear()
        #expect(screen.all.isEmpty)
    }

    @Test func aTerminalGetsAThrottledLine() {
        let screen = Screen()
        let display = display(screen, terminal: true)
        display.update(progress(5_000, 1 << 20))  // the pass's first chunk: the rates' origin
        screen.advance(0.1)
        display.update(progress(10_000, 2 << 20))  // too soon
        #expect(screen.all.isEmpty)
        screen.advance(0.4)
        display.update(progress(30_000, 6 << 20))
        #expect(screen.all == ["\r\u{1B}[Kbig.jsonl: 30,000 lines, 6.0 of 100.0 MiB (6%), 50,000 lines/s, 10.0 MiB/s"])
        screen.advance(0.1)
        display.update(progress(35_000, 7 << 20))  // within the interval of the last draw
        #expect(screen.all.count == 1)
        display.clear()
        #expect(screen.all.last == "\r\u{1B}[K")
        display.clear()  // nothing shown any more
        #expect(screen.all.count == 2)
    }

    @Test func aSmallFileFinishesBeforeAnyLine() {
        let screen = Screen()
        let display = display(screen, terminal: true)
        display.update(progress(60, 36_000))
        display.clear()
        #expect(screen.all.isEmpty)
    }
}
