import Contracts

extension JSONValue {
    /// The value with every whole `number` that fits in 64 bits made an `integer`. A2A 1.0
    /// data parts are protobuf `Value`s, which hold every number as a double, so a2a-sdk sends
    /// `3` as `3.0`; restoring the integers makes a fact written over A2A store the same JSON
    /// as one written over MCP or REST.
    var wholeNumbersAsIntegers: JSONValue {
        switch self {
        case .number(let number): Int64(exactly: number).map(JSONValue.integer) ?? self
        case .array(let items): .array(items.map(\.wholeNumbersAsIntegers))
        case .object(let object): .object(JSONObject(object.map { ($0.key, $0.value.wholeNumbersAsIntegers) }))
        default: self
        }
    }
}
