import Tracing

extension Logfire {
    /// Formats a message template the way Logfire's Python SDK does for plain fields:
    /// `{name}` is replaced by the argument's text, `{{` and `}}` are literal braces, and a
    /// conversion or format spec (`{name!r}`, `{name:>8}`) is accepted and ignored. A field
    /// without an argument stays as written, so the message still shows what is missing.
    static func format(_ template: String, with arguments: SpanAttributes) -> String {
        let open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        let bytes = template.utf8
        guard bytes.contains(where: { $0 == open || $0 == close }) else { return template }
        var out = ""
        out.reserveCapacity(bytes.count + 16)
        // Braces are ASCII, so their byte indices are valid String indices.
        var literalStart = bytes.startIndex
        var i = literalStart
        while i < bytes.endIndex {
            let b = bytes[i]
            let next = bytes.index(after: i)
            if b == open || b == close, next < bytes.endIndex, bytes[next] == b {
                out += template[literalStart ..< next]
                i = bytes.index(after: next)
                literalStart = i
            } else if b == open, let end = bytes[next...].firstIndex(of: close) {
                out += template[literalStart ..< i]
                if let value = arguments.get(fieldName(template[next ..< end])) {
                    out += text(of: value)
                } else {
                    out += template[i ... end]
                }
                i = bytes.index(after: end)
                literalStart = i
            } else {
                i = next
            }
        }
        out += template[literalStart...]
        return out
    }

    /// `name` of `name!r:>8` or `name=`, trimmed.
    private static func fieldName(_ field: Substring) -> String {
        var name = field.prefix { $0 != "!" && $0 != ":" }
        while name.last == "=" || name.last == " " { name.removeLast() }
        while name.first == " " { name.removeFirst() }
        return String(name)
    }

    /// An argument as it reads in a message.
    static func text(of value: SpanAttribute) -> String {
        switch value {
        case .string(let s): s
        case .int32(let v): String(v)
        case .int64(let v): String(v)
        case .double(let v): String(v)
        case .bool(let v): String(v)
        case .stringConvertible(let v): v.description
        case .stringArray(let a): "[" + a.joined(separator: ", ") + "]"
        case .int64Array(let a): "[" + a.map(String.init).joined(separator: ", ") + "]"
        case .int32Array(let a): "[" + a.map(String.init).joined(separator: ", ") + "]"
        case .doubleArray(let a): "[" + a.map { String($0) }.joined(separator: ", ") + "]"
        case .boolArray(let a): "[" + a.map(String.init).joined(separator: ", ") + "]"
        case .stringConvertibleArray(let a): "[" + a.map(\.description).joined(separator: ", ") + "]"
        default: "\(value)"
        }
    }
}
