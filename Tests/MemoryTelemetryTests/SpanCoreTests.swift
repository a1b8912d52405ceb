import Foundation
@testable import MemoryTelemetry
import Testing
import Tracing

/// The span core's parts: ids, W3C trace context, sampling, the ended-span queue.
@Suite struct SpanCoreTests {
    @Test func idsAreUniqueAndNonZeroAcrossThreads() async {
        let perThread = 20_000
        var spans = Set<UInt64>()
        var traces = Set<TraceID>()
        await withTaskGroup(of: ([UInt64], [TraceID]).self) { group in
            for _ in 0 ..< 4 {
                group.addTask {
                    // A thread of its own, so each batch comes from a different thread's generator.
                    await withCheckedContinuation { continuation in
                        Thread {
                            continuation.resume(returning: ((0 ..< perThread).map { _ in SpanIDGenerator.next64() },
                                                            (0 ..< perThread).map { _ in SpanIDGenerator.nextTraceID() }))
                        }.start()
                    }
                }
            }
            for await (spanIDs, traceIDs) in group {
                spans.formUnion(spanIDs)
                traces.formUnion(traceIDs)
            }
        }
        #expect(spans.count == 4 * perThread)
        #expect(traces.count == 4 * perThread)
        #expect(!spans.contains(0))
        #expect(!traces.contains(TraceID(high: 0, low: 0)))
    }

    @Test func traceparentRoundTrip() throws {
        let header = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        let context = try #require(SpanContext(traceparent: header, traceState: "vendor=x"))
        #expect(context.traceID.hex == "0af7651916cd43dd8448eb211c80319c")
        #expect(HexID.string(context.spanID) == "b7ad6b7169203331")
        #expect(context.isSampled && context.isRemote)
        #expect(context.traceState == "vendor=x")
        #expect(context.traceparent == header)
        #expect(SpanContext(traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", traceState: nil)?.isSampled == false)
        // A later version may append fields.
        #expect(SpanContext(traceparent: "cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra", traceState: nil) != nil)
    }

    @Test(arguments: [
        "", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
        "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",
        "00-00000000000000000000000000000000-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
        "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",
        "00-0af7651916cd43dd8448eb211c8031-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1",
        "00-0af7651916cd43dd8448eb211c80319g-b7ad6b7169203331-01",
    ])
    func malformedTraceparentIsIgnored(_ header: String) {
        #expect(SpanContext(traceparent: header, traceState: nil) == nil)
    }

    @Test func samplerKeepsItsShareByTraceID() {
        #expect((0 ..< 1000).allSatisfy { _ in Sampler(ratio: 1).keeps(SpanIDGenerator.nextTraceID()) })
        #expect((0 ..< 1000).allSatisfy { _ in !Sampler(ratio: 0).keeps(SpanIDGenerator.nextTraceID()) })
        let quarter = Sampler(ratio: 0.25)
        let kept = (0 ..< 20_000).filter { _ in quarter.keeps(SpanIDGenerator.nextTraceID()) }.count
        #expect((4000 ... 6000).contains(kept), "\(kept) of 20000 kept at 0.25")
        let id = SpanIDGenerator.nextTraceID()
        #expect(quarter.keeps(id) == quarter.keeps(id), "the same trace, the same decision")
    }

    /// Pushes from several threads at once all come out, once each; beyond the capacity they are
    /// dropped and counted.
    @Test func endedSpanQueueUnderConcurrentPushes() async throws {
        let telemetry = try Telemetry(TelemetryConfiguration(destination: .none))
        let queue = EndedSpanQueue(capacity: 10_000)
        let perTask = 2_000
        var all: [TelemetrySpan] = []
        await withTaskGroup(of: [TelemetrySpan].self) { group in
            for _ in 0 ..< 4 {
                group.addTask {
                    for _ in 0 ..< perTask {
                        let span = telemetry.core.startSpan("s", context: .topLevel, ofKind: .internal, at: DefaultTracerClock.now,
                                                            function: #function, file: #fileID, line: #line)
                        _ = queue.push(span)
                    }
                    return []
                }
            }
            // A consumer taking while producers push.
            group.addTask {
                var taken: [TelemetrySpan] = []
                for _ in 0 ..< 50 {
                    taken += queue.takeAll().spans
                    await Task.yield()
                }
                return taken
            }
            for await taken in group { all += taken }
        }
        let rest = queue.takeAll()
        all += rest.spans
        #expect(all.count == 4 * perTask)
        #expect(Set(all.map(\.spanContext.spanID)).count == 4 * perTask)
        #expect(rest.dropped == 0)

        let small = EndedSpanQueue(capacity: 3)
        for _ in 0 ..< 5 {
            _ = small.push(telemetry.core.startSpan("s", context: .topLevel, ofKind: .internal, at: DefaultTracerClock.now,
                                                    function: #function, file: #fileID, line: #line))
        }
        let (spans, dropped) = small.takeAll()
        #expect(spans.count == 3)
        #expect(dropped == 2)
        #expect(small.takeAll().spans.isEmpty)
    }
}
