/// Byte-level lookups in a JSON text that already parsed: where a top-level member's value
/// lies in the line. Storing that slice keeps the producer's own text of `data` and spares
/// serializing the parsed value again (the costliest step of an envelope's ingest).
enum RawJSON {
    /// The byte range of the value of the top-level member `name` of the object `bytes`; nil
    /// when there is none or its key is written with escapes (the caller falls back to the
    /// parsed value). `bytes` must be valid JSON.
    static func memberValue(named name: String, in bytes: [UInt8]) -> Range<Int>? {
        let key = Array(name.utf8)
        return bytes.withUnsafeBufferPointer { b -> Range<Int>? in
            var i = skipSpace(b, 0)
            guard i < b.count, b[i] == UInt8(ascii: "{") else { return nil }
            i += 1
            while true {
                i = skipSpace(b, i)
                guard i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
                let keyEnd = skipString(b, i)
                let matches = keyEnd - i - 2 == key.count && key.indices.allSatisfy { b[i + 1 + $0] == key[$0] }
                i = skipSpace(b, keyEnd)
                guard i < b.count, b[i] == UInt8(ascii: ":") else { return nil }
                i = skipSpace(b, i + 1)
                let valueStart = i
                i = skipValue(b, i)
                if matches { return valueStart..<i }
                i = skipSpace(b, i)
                guard i < b.count, b[i] == UInt8(ascii: ",") else { return nil }
                i += 1
            }
        }
    }

    private static func skipSpace(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
        var i = start
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
        return i
    }

    /// `start` at a quote; returns the index after the closing quote.
    private static func skipString(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
        var i = start + 1
        while i < b.count, b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
        return i + 1
    }

    private static func skipValue(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
        var i = start
        guard i < b.count else { return i }
        switch b[i] {
        case UInt8(ascii: "\""):
            return skipString(b, i)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while i < b.count {
                switch b[i] {
                case UInt8(ascii: "\""): i = skipString(b, i); continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            return i
        default:
            // A number or a literal: up to the next delimiter.
            while i < b.count, b[i] != UInt8(ascii: ","), b[i] != UInt8(ascii: "}"), b[i] != UInt8(ascii: "]"),
                  b[i] != 0x20, b[i] != 0x09, b[i] != 0x0A, b[i] != 0x0D { i += 1 }
            return i
        }
    }
}
