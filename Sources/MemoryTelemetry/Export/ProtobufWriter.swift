/// Protocol Buffers' wire format, written straight into a byte array: just what the OTLP trace
/// messages need (varints, fixed 32/64-bit values, length-delimited fields). Field order and
/// the omission of default values follow the official encoders, so any protobuf decoder reads
/// the output as the generated types would have written it.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    enum WireType: UInt8 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    mutating func tag(_ field: UInt32, _ type: WireType) {
        varint(UInt64(field << 3 | UInt32(type.rawValue)))
    }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// A varint field; zero is the default and is left out unless `always`.
    mutating func varintField(_ field: UInt32, _ value: UInt64, always: Bool = false) {
        guard value != 0 || always else { return }
        tag(field, .varint)
        varint(value)
    }

    mutating func fixed64Field(_ field: UInt32, _ value: UInt64, always: Bool = false) {
        guard value != 0 || always else { return }
        tag(field, .fixed64)
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func fixed32Field(_ field: UInt32, _ value: UInt32) {
        guard value != 0 else { return }
        tag(field, .fixed32)
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A string field; empty is the default and is left out unless `always` (a oneof member).
    mutating func stringField(_ field: UInt32, _ value: String, always: Bool = false) {
        let count = value.utf8.count
        guard count > 0 || always else { return }
        tag(field, .lengthDelimited)
        varint(UInt64(count))
        bytes.append(contentsOf: value.utf8)
    }

    /// A bytes field holding `value` big-endian (ids).
    mutating func bigEndianField(_ field: UInt32, _ value: UInt64) {
        tag(field, .lengthDelimited)
        varint(8)
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func traceIDField(_ field: UInt32, _ id: TraceID) {
        tag(field, .lengthDelimited)
        varint(16)
        withUnsafeBytes(of: id.high.bigEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: id.low.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Bytes written by another writer: fields encoded once and reused.
    mutating func append(_ encoded: [UInt8]) {
        bytes.append(contentsOf: encoded)
    }

    /// An embedded message whose size is known before it is written.
    mutating func messageHeader(_ field: UInt32, size: Int) {
        tag(field, .lengthDelimited)
        varint(UInt64(size))
    }

    /// An embedded message whose size is known only once written: `body` writes it after a
    /// five-byte gap, then its length goes into the gap and the unused gap bytes are closed up.
    mutating func message(_ field: UInt32, _ body: (inout ProtobufWriter) -> Void) {
        tag(field, .lengthDelimited)
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 5))
        body(&self)
        var length = UInt64(bytes.count - start - 5)
        var index = start
        while length >= 0x80 {
            bytes[index] = UInt8(truncatingIfNeeded: length) | 0x80
            length >>= 7
            index += 1
        }
        bytes[index] = UInt8(length)
        if index + 1 < start + 5 { bytes.removeSubrange(index + 1 ..< start + 5) }
    }

    static func varintSize(_ value: UInt64) -> Int {
        value == 0 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
    }

    /// Tag, length and body of a length-delimited field with a small field number.
    static func lengthDelimitedSize(_ body: Int) -> Int {
        1 + varintSize(UInt64(body)) + body
    }
}
