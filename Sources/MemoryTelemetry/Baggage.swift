/// W3C Baggage (https://www.w3.org/TR/baggage/): the `baggage` header's key/value list.
/// Values are percent-encoded on the wire; properties (`;k=v` after a value) are dropped.
struct Baggage: Sendable, Hashable {
    struct Entry: Sendable, Hashable {
        var key: String
        var value: String
    }

    private(set) var entries: [Entry] = []

    /// The W3C limits on what one header may carry.
    static let maxEntries = 180
    static let maxHeaderBytes = 8192

    init() {}

    /// Parses a `baggage` header; malformed members are skipped, as the spec allows.
    init(header: String) {
        for member in header.split(separator: ",", omittingEmptySubsequences: true) {
            guard entries.count < Self.maxEntries else { break }
            let pair = member.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
            guard let eq = pair.firstIndex(of: "=") else { continue }
            let key = pair[..<eq].trimmingOWS
            guard !key.isEmpty, key.utf8.allSatisfy(Self.isTokenByte),
                  let value = Self.percentDecoded(pair[pair.index(after: eq)...].trimmingOWS) else { continue }
            self[String(key)] = value
        }
    }

    subscript(key: String) -> String? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append(Entry(key: key, value: newValue))
            }
        }
    }

    /// The header value; members that would push it past the W3C limits are left out.
    var header: String {
        var out = ""
        var count = 0
        for entry in entries where count < Self.maxEntries {
            let member = entry.key + "=" + Self.percentEncoded(entry.value)
            guard out.utf8.count + member.utf8.count + (out.isEmpty ? 0 : 1) <= Self.maxHeaderBytes else { continue }
            if !out.isEmpty { out += "," }
            out += member
            count += 1
        }
        return out
    }

    // MARK: - Codec

    /// RFC 7230 `tchar`, the bytes a baggage key may hold.
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"), UInt8(ascii: "a") ... UInt8(ascii: "z"), UInt8(ascii: "A") ... UInt8(ascii: "Z"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }

    /// W3C `baggage-octet`: printable ASCII except space, `"`, `,`, `;`, `\`. `%` is encoded too,
    /// so decoding is unambiguous.
    static func isValueByte(_ b: UInt8) -> Bool {
        b > 0x20 && b < 0x7F && b != UInt8(ascii: "\"") && b != UInt8(ascii: ",") && b != UInt8(ascii: ";")
            && b != UInt8(ascii: "\\") && b != UInt8(ascii: "%")
    }

    static func percentEncoded(_ value: String) -> String {
        guard !value.utf8.allSatisfy(isValueByte) else { return value }
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count * 3)
        for b in value.utf8 {
            if isValueByte(b) {
                bytes.append(b)
            } else {
                bytes += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Nil when an escape is malformed or the bytes are not UTF-8.
    static func percentDecoded(_ text: Substring) -> String? {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
        var bytes: [UInt8] = []
        var it = Array(text.utf8)[...]
        while let b = it.popFirst() {
            guard b == UInt8(ascii: "%") else { bytes.append(b); continue }
            guard let h = it.popFirst().flatMap(hexValue), let l = it.popFirst().flatMap(hexValue) else { return nil }
            bytes.append(h << 4 | l)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a") ... UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A") ... UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Substring {
    /// Without the optional whitespace (spaces, tabs) HTTP allows around list members.
    fileprivate var trimmingOWS: Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return s
    }
}
