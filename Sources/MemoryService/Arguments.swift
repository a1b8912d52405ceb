import Contracts

/// A tool's arguments once they passed the tool's input schema: typed reads with clear errors.
struct Arguments {
    private let object: JSONObject

    /// Checks `value` against `schema` (unknown members, types, ranges) and wraps it.
    init(_ value: JSONValue, tool: String, schema: JSONSchema) throws(MemoryServiceError) {
        let value = value.isNull ? JSONValue.object(JSONObject()) : value
        let errors = schema.validate(value)
        if !errors.isEmpty {
            throw .invalidArguments("\(tool): " + errors.prefix(3).map(\.description).joined(separator: "; "))
        }
        guard case .object(let object) = value else { throw .invalidArguments("\(tool): arguments must be an object") }
        self.object = object
    }

    subscript(name: String) -> JSONValue? {
        guard let value = object[name], !value.isNull else { return nil }
        return value
    }

    /// The member as given, `null` included.
    func member(_ name: String) -> JSONValue? { object[name] }

    func string(_ name: String) -> String? { self[name]?.stringValue }

    func int(_ name: String) -> Int64? { self[name]?.int64Value }

    func bool(_ name: String) -> Bool? { self[name]?.boolValue }

    func requiredString(_ name: String) throws(MemoryServiceError) -> String {
        guard let value = string(name) else { throw .invalidArguments("\(name) is required") }
        return value
    }
}
