import Contracts
import Tracing

extension Logfire {
    /// `logfire.json_schema`: an object schema listing the arguments (sorted), with
    /// `{"type":"object"}` / `{"type":"array"}` for structured values and `{}` for scalars, as
    /// the Python SDK writes it.
    static func schema(of arguments: SpanAttributes) -> String {
        var entries: [(String, String)] = []
        entries.reserveCapacity(arguments.count)
        arguments.forEach { key, value in entries.append((key, schemaType(of: value))) }
        entries.sort { $0.0 < $1.0 }
        var out = #"{"type":"object","properties":{"#
        for (i, (key, type)) in entries.enumerated() {
            if i > 0 { out += "," }
            out += JSONValue.string(key).jsonText + ":" + type
        }
        return out + "}}"
    }

    private static func schemaType(of value: SpanAttribute) -> String {
        switch value {
        case .stringConvertible(let v as JSONValueText): v.isArray ? #"{"type":"array"}"# : #"{"type":"object"}"#
        case .stringArray, .int32Array, .int64Array, .doubleArray, .boolArray, .stringConvertibleArray: #"{"type":"array"}"#
        default: "{}"
        }
    }
}
