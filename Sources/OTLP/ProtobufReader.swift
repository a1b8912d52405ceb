/// A forward-only reader of protobuf wire format over borrowed bytes, for hot paths that turn
/// a message into something else without building the generated message first. It checks
/// framing only (lengths, varints, wire types); what a field means is the caller's business.
/// Any malformation throws `ProtobufReader.Malformed`: callers then decode with the generated
/// types, whose error is the one to report.
public struct ProtobufReader {
    public enum WireType: UInt8 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    public struct Malformed: Error {
        public init() {}
    }

    private let base: UnsafeRawPointer?
    private let end: Int
    private var offset = 0

    public init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes.baseAddress
        end = bytes.count
    }

    public var isAtEnd: Bool { offset >= end }

    /// The next field's number and wire type; nil at the end of the message.
    public mutating func nextField() throws(Malformed) -> (number: Int, wireType: WireType)? {
        guard offset < end else { return nil }
        // A tag takes at most 5 bytes, the 5th at most 15, as SwiftProtobuf reads it.
        let start = offset
        let tag = try varint()
        guard offset - start < 5 || (offset - start == 5 && tag >> 28 <= 15),
              let wireType = WireType(rawValue: UInt8(tag & 7)), tag >> 3 > 0 else {
            throw Malformed()
        }
        return (Int(tag >> 3), wireType)
    }

    public mutating func varint() throws(Malformed) -> UInt64 {
        guard let base else { throw Malformed() }
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < end {
            let byte = base.load(fromByteOffset: offset, as: UInt8.self)
            offset += 1
            if shift == 63, byte > 1 { throw Malformed() }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw Malformed()
    }

    public mutating func fixed64() throws(Malformed) -> UInt64 {
        guard let base, end - offset >= 8 else { throw Malformed() }
        defer { offset += 8 }
        return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    public mutating func fixed32() throws(Malformed) -> UInt32 {
        guard let base, end - offset >= 4 else { throw Malformed() }
        defer { offset += 4 }
        return UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// A length-delimited field's bytes (a string, bytes, or an embedded message), borrowed.
    public mutating func lengthDelimited() throws(Malformed) -> UnsafeRawBufferPointer {
        let length = try varint()
        guard let base, length <= UInt64(end - offset) else { throw Malformed() }
        defer { offset += Int(length) }
        return UnsafeRawBufferPointer(start: base + offset, count: Int(length))
    }

    /// Skips the value of a field of `wireType` (an unknown field).
    public mutating func skip(_ wireType: WireType) throws(Malformed) {
        switch wireType {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .lengthDelimited: _ = try lengthDelimited()
        case .fixed32: _ = try fixed32()
        }
    }
}
