#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Lenient base64 for JSON `bytes` fields: proto3 JSON parsers accept the
/// standard and the URL-safe alphabet, with or without padding.
enum Base64 {
    static func decode(_ text: UnsafeBufferPointer<UInt8>) -> Data? {
        var end = text.count
        var padding = 0
        while end > 0, padding < 2, text[end - 1] == UInt8(ascii: "=") {
            end -= 1
            padding += 1
        }
        guard end % 4 != 1, padding == 0 || text.count % 4 == 0 else { return nil }

        var result = Data(capacity: end * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for i in 0..<end {
            guard let value = sextet(text[i]) else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                result.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return result
    }

    private static func sextet(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): c &- UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): c &- UInt8(ascii: "a") &+ 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c &- UInt8(ascii: "0") &+ 52
        case UInt8(ascii: "+"), UInt8(ascii: "-"): 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
