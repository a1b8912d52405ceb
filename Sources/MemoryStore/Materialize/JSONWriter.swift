import Foundation
import OTLP

/// Appends JSON text to a byte buffer: the attribute, event and body columns are built
/// for every span, so this avoids Foundation's encoder and intermediate objects.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func byte(_ b: UInt8) { bytes.append(b) }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { string(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// A string given as its UTF-8 bytes.
    mutating func string(utf8: UnsafeRawBufferPointer) {
        bytes.append(UInt8(ascii: "\""))
        var start = 0
        for (i, b) in utf8.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[start..<i]))
            escape(b)
            start = i + 1
        }
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[start...]))
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ b: UInt8) {
        switch b {
        case UInt8(ascii: "\""): raw("\\\"")
        case UInt8(ascii: "\\"): raw("\\\\")
        case 0x0A: raw("\\n")
        case 0x0D: raw("\\r")
        case 0x09: raw("\\t")
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            raw("\\u00")
            bytes.append(hex[Int(b >> 4)])
            bytes.append(hex[Int(b & 0xF)])
        }
    }

    mutating func int(_ v: Int64) { bytes.append(contentsOf: String(v).utf8) }

    mutating func double(_ v: Double) {
        // JSON has no NaN or infinity; OTLP/JSON spells them as strings.
        if v.isFinite { bytes.append(contentsOf: "\(v)".utf8) } else { string("\(v)") }
    }

    mutating func bool(_ v: Bool) { if v { raw("true") } else { raw("false") } }
    mutating func null() { raw("null") }

    mutating func value(_ any: OTLPAnyValue) {
        switch any.value {
        case .stringValue(let s): string(s)
        case .boolValue(let b): bool(b)
        case .intValue(let i): int(i)
        case .doubleValue(let d): double(d)
        case .bytesValue(let data): string(data.base64EncodedString())
        case .arrayValue(let array):
            byte(UInt8(ascii: "["))
            for (i, element) in array.values.enumerated() {
                if i > 0 { byte(UInt8(ascii: ",")) }
                value(element)
            }
            byte(UInt8(ascii: "]"))
        case .kvlistValue(let list): object(list.values)
        case nil: null()
        }
    }

    mutating func object(_ attributes: [OTLPKeyValue]) {
        byte(UInt8(ascii: "{"))
        for (i, kv) in attributes.enumerated() {
            if i > 0 { byte(UInt8(ascii: ",")) }
            string(kv.key)
            byte(UInt8(ascii: ":"))
            value(kv.value)
        }
        byte(UInt8(ascii: "}"))
    }

    static func object(_ attributes: [OTLPKeyValue]) -> String {
        var writer = JSONWriter()
        writer.object(attributes)
        return writer.string
    }
}
