/// The compiled form of one schema (one JSON object or boolean of a schema document).
///
/// Compilation (`SchemaCompiler`) turns each keyword into a typed field, so validation reads
/// fields and never looks keyword names up: a node holds only what its keywords ask for, grouped
/// by the instance type the rules apply to. Nodes are immutable; `$ref` targets are indices into
/// the `SchemaTable` every node of a library shares, so cycles need no mutable links.
final class SchemaNode: Sendable {
    /// Where the schema is: `docID#/json/pointer`, for load errors and debugging.
    let location: String
    /// A boolean schema: `true` accepts everything, `false` nothing. nil for object schemas.
    let constant: Bool?
    let types: TypeMask?
    let enumValues: [JSONValue]?
    let constValue: JSONValue?
    let string: StringRules?
    let number: NumberRules?
    let object: ObjectRules?
    let array: ArrayRules?
    let ref: Int?
    let allOf: [SchemaNode]
    let anyOf: [SchemaNode]?
    let oneOf: [SchemaNode]?
    let not: SchemaNode?
    let condition: Conditional?

    init(
        location: String, constant: Bool? = nil, types: TypeMask? = nil, enumValues: [JSONValue]? = nil,
        constValue: JSONValue? = nil, string: StringRules? = nil, number: NumberRules? = nil, object: ObjectRules? = nil,
        array: ArrayRules? = nil, ref: Int? = nil, allOf: [SchemaNode] = [], anyOf: [SchemaNode]? = nil,
        oneOf: [SchemaNode]? = nil, not: SchemaNode? = nil, condition: Conditional? = nil
    ) {
        self.location = location
        self.constant = constant
        self.types = types
        self.enumValues = enumValues
        self.constValue = constValue
        self.string = string
        self.number = number
        self.object = object
        self.array = array
        self.ref = ref
        self.allOf = allOf
        self.anyOf = anyOf
        self.oneOf = oneOf
        self.not = not
        self.condition = condition
    }

    /// Subschemas applied to the same instance (not to a member or item): the edges a `$ref`
    /// cycle check follows.
    var inPlaceChildren: [SchemaNode] {
        var children = allOf + (anyOf ?? []) + (oneOf ?? [])
        if let not { children.append(not) }
        if let condition {
            children.append(condition.if)
            if let t = condition.then { children.append(t) }
            if let e = condition.else { children.append(e) }
        }
        return children
    }
}

struct TypeMask: OptionSet, Sendable {
    let rawValue: UInt8
    static let null = TypeMask(rawValue: 1)
    static let boolean = TypeMask(rawValue: 2)
    static let object = TypeMask(rawValue: 4)
    static let array = TypeMask(rawValue: 8)
    static let number = TypeMask(rawValue: 16)
    static let string = TypeMask(rawValue: 32)
    static let integer = TypeMask(rawValue: 64)

    static let names: [(String, TypeMask)] = [
        ("null", .null), ("boolean", .boolean), ("object", .object), ("array", .array), ("number", .number),
        ("string", .string), ("integer", .integer),
    ]

    /// Whether a value is of one of the types. Every number satisfies `number`; a number with no
    /// fractional part (`3`, `3.0`) also satisfies `integer`.
    @inline(__always) func admits(_ value: JSONValue) -> Bool {
        switch value {
        case .null: contains(.null)
        case .bool: contains(.boolean)
        case .object: contains(.object)
        case .array: contains(.array)
        case .string: contains(.string)
        case .integer: !isDisjoint(with: [.number, .integer])
        case .number(let d): contains(.number) || (contains(.integer) && d.rounded(.towardZero) == d)
        }
    }

    var description: String {
        Self.names.filter { contains($0.1) }.map(\.0).joined(separator: " or ")
    }
}

enum StringFormat: String, Sendable {
    case dateTime = "date-time"
}

// Rule groups are classes: validation reaches them through one reference instead of copying
// their arrays and dictionaries (with a retain each) out of the node.

final class StringRules: Sendable {
    let minLength: Int?
    let maxLength: Int?
    let pattern: CompiledPattern?
    let format: StringFormat?

    init(minLength: Int?, maxLength: Int?, pattern: CompiledPattern?, format: StringFormat?) {
        self.minLength = minLength
        self.maxLength = maxLength
        self.pattern = pattern
        self.format = format
    }
}

final class NumberRules: Sendable {
    let minimum: JSONValue?
    let maximum: JSONValue?
    let exclusiveMinimum: JSONValue?
    let exclusiveMaximum: JSONValue?
    let multipleOf: JSONValue?

    init(minimum: JSONValue?, maximum: JSONValue?, exclusiveMinimum: JSONValue?, exclusiveMaximum: JSONValue?, multipleOf: JSONValue?) {
        self.minimum = minimum
        self.maximum = maximum
        self.exclusiveMinimum = exclusiveMinimum
        self.exclusiveMaximum = exclusiveMaximum
        self.multipleOf = multipleOf
    }
}

struct PropertyRule: Sendable {
    let node: SchemaNode
    /// The name is also in `required`.
    let isRequired: Bool
}

struct PatternPropertyRule: Sendable {
    let pattern: CompiledPattern
    let node: SchemaNode
}

final class ObjectRules: Sendable {
    /// `properties`, in schema order, with a name index.
    let propertyNames: [String]
    let propertyRules: [PropertyRule]
    private let propertyIndex: [String: Int]
    /// `required`, in schema order (for messages).
    let required: [String]
    /// How many names of `required` are also in `properties` (counted during the member walk).
    let requiredDeclaredCount: Int
    /// Required names that `properties` does not declare: looked up one by one.
    let requiredUndeclared: [String]
    let patternProperties: [PatternPropertyRule]
    /// Applies to members matched neither by `properties` nor by `patternProperties`.
    let additionalProperties: SchemaNode?
    let minProperties: Int?
    let maxProperties: Int?

    init(
        properties: [(String, SchemaNode)], required: [String], patternProperties: [PatternPropertyRule],
        additionalProperties: SchemaNode?, minProperties: Int?, maxProperties: Int?
    ) {
        var index: [String: Int] = [:]
        for (i, (name, _)) in properties.enumerated() { index[name] = i }
        propertyNames = properties.map(\.0)
        propertyRules = properties.map { PropertyRule(node: $0.1, isRequired: required.contains($0.0)) }
        propertyIndex = index
        self.required = required
        requiredDeclaredCount = required.count { index[$0] != nil }
        requiredUndeclared = required.filter { index[$0] == nil }
        self.patternProperties = patternProperties
        self.additionalProperties = additionalProperties
        self.minProperties = minProperties
        self.maxProperties = maxProperties
    }

    func property(_ name: String) -> PropertyRule? {
        propertyIndex[name].map { propertyRules[$0] }
    }

    /// The rule for a member, for a walk over an object's members. Producers write members in
    /// a steady order, usually the schema's, so the declared property after the previous match
    /// is tried first: one string comparison instead of hashing the name.
    @inline(__always) func property(_ name: String, cursor: inout Int) -> PropertyRule? {
        let i: Int
        if cursor < propertyNames.count, propertyNames.withUnsafeBufferPointer({ $0[cursor] == name }) {
            i = cursor
        } else if let found = propertyIndex[name] {
            i = found
        } else {
            return nil
        }
        cursor = i + 1
        return propertyRules.withUnsafeBufferPointer { $0[i] }
    }
}

final class ArrayRules: Sendable {
    let items: SchemaNode?
    let minItems: Int?
    let maxItems: Int?
    let uniqueItems: Bool

    init(items: SchemaNode?, minItems: Int?, maxItems: Int?, uniqueItems: Bool) {
        self.items = items
        self.minItems = minItems
        self.maxItems = maxItems
        self.uniqueItems = uniqueItems
    }
}

struct Conditional: Sendable {
    let `if`: SchemaNode
    let then: SchemaNode?
    let `else`: SchemaNode?
}

/// Every `$ref` target of a library, by index. Also where validation runs (`SchemaEvaluator.swift`).
final class SchemaTable: Sendable {
    let nodes: [SchemaNode]
    init(nodes: [SchemaNode]) { self.nodes = nodes }
}
