#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Hex encoding of trace and span ids, the form OTLP/JSON and W3C trace
/// context use and memoryd stores.
public enum OTLPHex {
    /// Lowercase hex, two characters per byte.
    public static func string(_ bytes: Data) -> String {
        bytes.withUnsafeBytes { string($0) }
    }

    /// Lowercase hex, two characters per byte.
    public static func string(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { string($0) }
    }

    /// Lowercase hex, two characters per byte. Writes straight into the
    /// string's storage: this runs twice per span on ingest.
    public static func string(_ bytes: UnsafeRawBufferPointer) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            let table = digits.utf8Start
            var i = 0
            for byte in bytes {
                out[i] = table[Int(byte >> 4)]
                out[i + 1] = table[Int(byte & 0x0F)]
                i += 2
            }
            return i
        }
    }

    /// Decodes hex of either case; nil unless `hex` has an even number of hex digits.
    public static func data(_ hex: String) -> Data? {
        var hex = hex
        return hex.withUTF8 { data(utf8: $0) }
    }

    static func data(utf8 hex: UnsafeBufferPointer<UInt8>) -> Data? {
        guard hex.count % 2 == 0 else { return nil }
        var result = Data(count: hex.count / 2)
        let valid = result.withUnsafeMutableBytes { out in
            for i in 0..<out.count {
                guard let high = nibble(hex[2 * i]), let low = nibble(hex[2 * i + 1]) else { return false }
                out[i] = high << 4 | low
            }
            return true
        }
        return valid ? result : nil
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }
}
