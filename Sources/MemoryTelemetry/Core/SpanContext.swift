import Tracing

/// A 128-bit W3C trace id.
struct TraceID: Sendable, Hashable {
    var high: UInt64
    var low: UInt64

    /// 32 lowercase hex digits.
    var hex: String { HexID.string(high) + HexID.string(low) }
}

/// What identifies a span across tasks and processes: W3C trace context's fields. It travels in
/// the task-local `ServiceContext` (under `SpanContextKey`) and in `traceparent`/`tracestate`.
struct SpanContext: Sendable, Hashable {
    var traceID: TraceID
    var spanID: UInt64
    /// The `sampled` trace flag: whether the trace's spans are recorded and exported.
    var isSampled: Bool
    /// `tracestate`, passed on unchanged (vendors' entries).
    var traceState: String?
    /// Extracted from another process's headers rather than started here.
    var isRemote: Bool

    /// `traceparent`: `00-<trace id>-<span id>-<flags>`.
    var traceparent: String {
        "00-" + traceID.hex + "-" + HexID.string(spanID) + (isSampled ? "-01" : "-00")
    }

    /// Parses `traceparent` (W3C Trace Context level 1; a later version's extra fields are
    /// ignored, as the spec asks). Nil when malformed or when an id is all zeros.
    init?(traceparent: String, traceState: String?) {
        let parts = traceparent.trimmingSpaces.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].utf8.count == 2, let version = UInt8(parts[0], radix: 16), version != 0xFF,
              version != 0 || parts.count == 4,
              parts[1].utf8.count == 32, parts[2].utf8.count == 16, parts[3].utf8.count == 2,
              let high = HexID.parse(parts[1].prefix(16)), let low = HexID.parse(parts[1].suffix(16)),
              let spanID = HexID.parse(parts[2]), let flags = UInt8(parts[3], radix: 16),
              parts[3].utf8.allSatisfy(HexID.isLowerHex), high | low != 0, spanID != 0 else { return nil }
        self.init(traceID: TraceID(high: high, low: low), spanID: spanID, isSampled: flags & 1 == 1,
                  traceState: traceState.flatMap { $0.isEmpty ? nil : $0 }, isRemote: true)
    }

    init(traceID: TraceID, spanID: UInt64, isSampled: Bool, traceState: String?, isRemote: Bool) {
        self.traceID = traceID
        self.spanID = spanID
        self.isSampled = isSampled
        self.traceState = traceState
        self.isRemote = isRemote
    }
}

/// The current span's `SpanContext` in a `ServiceContext`.
enum SpanContextKey: ServiceContextKey {
    typealias Value = SpanContext
}

extension ServiceContext {
    /// The trace the current span belongs to, as 32 hex digits.
    var traceIDHex: String? { self[SpanContextKey.self]?.traceID.hex }
}

/// Ids as lowercase hex.
enum HexID {
    private static let digits = Array("0123456789abcdef".utf8)

    static func string(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            for i in 0 ..< 16 { buffer[i] = digits[Int((value >> UInt64(60 - 4 * i)) & 0xF)] }
            return 16
        }
    }

    /// 16 lowercase hex digits, as W3C trace context requires.
    static func parse(_ text: Substring) -> UInt64? {
        guard text.utf8.count == 16, text.utf8.allSatisfy(isLowerHex) else { return nil }
        return UInt64(text, radix: 16)
    }

    static func isLowerHex(_ b: UInt8) -> Bool {
        (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains(b) || (UInt8(ascii: "a") ... UInt8(ascii: "f")).contains(b)
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return s
    }
}
