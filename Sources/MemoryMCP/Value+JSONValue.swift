import Contracts
import Foundation
import MCP

/// The MCP SDK's `Value` and memoryd's `JSONValue` describe the same JSON; tool arguments
/// arrive as the one and results leave as the other.
extension Value {
    init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .integer(let i): self = .int(Int(i))
        // Non-finite numbers have no JSON form; `jsonText` writes them as null too.
        case .number(let d): self = d.isFinite ? .double(d) : .null
        case .string(let s): self = .string(s)
        case .array(let a): self = .array(a.map { Value(json: $0) })
        case .object(let o): self = .object(Dictionary(o.map { ($0.key, Value(json: $0.value)) }, uniquingKeysWith: { $1 }))
        }
    }
}

extension JSONValue {
    // `MCP.Value`: inside this extension plain `Value` is the dictionary-literal associated type.
    init(mcp value: MCP.Value) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .integer(Int64(i))
        case .double(let d): self = .number(d)
        case .string(let s): self = .string(s)
        // The SDK decodes a string that looks like a data URL into `.data`; it was a string.
        case .data(let mimeType, let data): self = .string(data.dataURLEncoded(mimeType: mimeType))
        case .array(let a): self = .array(a.map { JSONValue(mcp: $0) })
        case .object(let o): self = .object(JSONObject(o.sorted { $0.key < $1.key }.map { ($0.key, JSONValue(mcp: $0.value)) }))
        }
    }
}
