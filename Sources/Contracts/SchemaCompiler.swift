/// A schema document that cannot be used: an unsupported keyword, a malformed keyword value,
/// a `$ref` that resolves nowhere. Raised when the schemas are loaded, never during validation.
public struct SchemaLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `documentID#/json/pointer` of the offending keyword or schema.
    public let location: String
    public let message: String

    public var description: String { "\(location): \(message)" }
}

/// Compiles schema documents (JSON Schema draft 2020-12, the subset below) into `SchemaNode`s.
///
/// Supported keywords — everything else is a load error, so a contract that starts using a
/// keyword this validator does not enforce is noticed at once instead of silently passing data:
///
/// - core: `$schema` (2020-12 only, document root), `$id` (document root), `$ref` (local JSON
///   Pointer fragments and other loaded documents by `$id`, resolved like a relative URI
///   reference), `$defs`, `$comment`
/// - any type: `type` (a name or a list), `enum`, `const`
/// - strings: `minLength`, `maxLength`, `pattern` (ECMA-262, see `CompiledPattern`), `format`
///   (`date-time` only, asserted: RFC 3339 with a zone)
/// - numbers: `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`
/// - objects: `properties`, `required`, `additionalProperties`, `patternProperties`,
///   `minProperties`, `maxProperties`
/// - arrays: `items` (a schema, as in 2020-12), `minItems`, `maxItems`, `uniqueItems`
/// - applicators: `allOf`, `anyOf`, `oneOf`, `not`, `if` / `then` / `else`
/// - annotations, accepted and ignored: `title`, `description`, `default`, `examples`,
///   `deprecated`, `readOnly`, `writeOnly`
struct SchemaCompiler {
    static let draft202012 = "https://json-schema.org/draft/2020-12/schema"

    static let annotationKeywords: Set<String> = [
        "$comment", "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly",
    ]

    static let supportedKeywords: Set<String> = annotationKeywords.union([
        "$schema", "$id", "$ref", "$defs",
        "type", "enum", "const",
        "minLength", "maxLength", "pattern", "format",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "properties", "required", "additionalProperties", "patternProperties", "minProperties", "maxProperties",
        "items", "minItems", "maxItems", "uniqueItems",
        "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
    ])

    private var documents: [String: JSONValue] = [:]
    private var documentOrder: [String] = []
    private var slots: [SchemaNode?] = []
    private var slotByLocation: [String: Int] = [:]
    private var pending: [(slot: Int, document: String, pointer: [String])] = []
    private var patterns: [String: CompiledPattern] = [:]

    /// Adds a document under its `$id`, or under `fallbackID` when it has none.
    mutating func add(_ document: JSONValue, fallbackID: String) throws(SchemaLoadError) {
        var id = fallbackID
        if case .object(let o) = document, let declared = o["$id"] {
            guard case .string(let s) = declared, !s.isEmpty, !s.contains("#") else {
                throw SchemaLoadError(location: fallbackID + "#/$id", message: "$id must be a non-empty string without a fragment")
            }
            id = s
        }
        guard documents[id] == nil else {
            throw SchemaLoadError(location: id + "#", message: "two schema documents have the $id \"\(id)\"")
        }
        documents[id] = document
        documentOrder.append(id)
    }

    /// Compiles every added document; returns the shared table and the root slot of each document.
    mutating func compile() throws(SchemaLoadError) -> (table: SchemaTable, roots: [String: Int]) {
        var roots: [String: Int] = [:]
        for id in documentOrder { roots[id] = reserve(document: id, pointer: []) }
        while let job = pending.popLast() {
            let value = Self.resolve(pointer: job.pointer, in: documents[job.document]!)!
            slots[job.slot] = try compileSchema(value, document: job.document, pointer: job.pointer)
        }
        let nodes = slots.map { $0! }
        try Self.checkRefCycles(nodes)
        return (SchemaTable(nodes: nodes), roots)
    }

    private mutating func reserve(document: String, pointer: [String]) -> Int {
        let key = Self.location(document, pointer)
        if let slot = slotByLocation[key] { return slot }
        slots.append(nil)
        let slot = slots.count - 1
        slotByLocation[key] = slot
        pending.append((slot, document, pointer))
        return slot
    }

    static func location(_ document: String, _ pointer: [String]) -> String {
        document + "#" + JSONPointer.render(pointer)
    }

    static func resolve(pointer: [String], in document: JSONValue) -> JSONValue? {
        var current = document
        for token in pointer {
            switch current {
            case .object(let o):
                guard let next = o[token] else { return nil }
                current = next
            case .array(let a):
                guard let i = Int(token), a.indices.contains(i) else { return nil }
                current = a[i]
            default:
                return nil
            }
        }
        return current
    }

    // MARK: One schema

    private mutating func compileSchema(_ value: JSONValue, document: String, pointer: [String]) throws(SchemaLoadError)
        -> SchemaNode
    {
        let here = Self.location(document, pointer)
        func error(_ keyword: String?, _ message: String) -> SchemaLoadError {
            SchemaLoadError(location: keyword.map { Self.location(document, pointer + [$0]) } ?? here, message: message)
        }
        func sub(_ v: JSONValue, _ tokens: String...) throws(SchemaLoadError) -> SchemaNode {
            try compileSchema(v, document: document, pointer: pointer + tokens)
        }
        func nonNegativeInt(_ v: JSONValue, _ keyword: String) throws(SchemaLoadError) -> Int {
            guard let i = v.int64Value, i >= 0, i <= Int64(Int32.max) else { throw error(keyword, "must be a non-negative integer") }
            return Int(i)
        }
        func number(_ v: JSONValue, _ keyword: String) throws(SchemaLoadError) -> JSONValue {
            guard v.doubleValue != nil else { throw error(keyword, "must be a number") }
            return v
        }
        func schemaArray(_ v: JSONValue, _ keyword: String) throws(SchemaLoadError) -> [SchemaNode] {
            guard case .array(let a) = v, !a.isEmpty else { throw error(keyword, "must be a non-empty array of schemas") }
            var nodes: [SchemaNode] = []
            for (i, element) in a.enumerated() { nodes.append(try sub(element, keyword, String(i))) }
            return nodes
        }

        switch value {
        case .bool(let b):
            return SchemaNode(location: here, constant: b)
        case .object:
            break
        default:
            throw error(nil, "a schema must be an object or a boolean, found \(value.typeName)")
        }
        let o = value.objectValue!

        for key in o.keys where !Self.supportedKeywords.contains(key) {
            throw error(key, "unsupported keyword \"\(key)\" (this validator enforces only the keywords it knows)")
        }

        var types: TypeMask?
        var enumValues: [JSONValue]?
        var constValue: JSONValue?
        var minLength: Int?, maxLength: Int?, pattern: CompiledPattern?, format: StringFormat?
        var minimum: JSONValue?, maximum: JSONValue?, exclusiveMinimum: JSONValue?, exclusiveMaximum: JSONValue?
        var multipleOf: JSONValue?
        var properties: [(String, SchemaNode)] = []
        var required: [String] = []
        var patternProperties: [PatternPropertyRule] = []
        var additionalProperties: SchemaNode?
        var minProperties: Int?, maxProperties: Int?
        var hasObject = false
        var items: SchemaNode?, minItems: Int?, maxItems: Int?, uniqueItems = false
        var hasArray = false
        var ref: Int?
        var allOf: [SchemaNode] = []
        var anyOf: [SchemaNode]?
        var oneOf: [SchemaNode]?
        var not: SchemaNode?
        var ifNode: SchemaNode?
        var thenNode: SchemaNode?
        var elseNode: SchemaNode?

        for (key, v) in o {
            switch key {
            case "$schema":
                guard pointer.isEmpty else { throw error(key, "$schema is only allowed at the document root") }
                guard v.stringValue == Self.draft202012 else {
                    throw error(key, "only JSON Schema draft 2020-12 (\(Self.draft202012)) is supported")
                }
            case "$id":
                guard pointer.isEmpty else { throw error(key, "an embedded $id (a schema resource inside a document) is not supported") }
            case "$comment", "title", "description":
                guard v.stringValue != nil else { throw error(key, "must be a string") }
            case "default", "examples", "deprecated", "readOnly", "writeOnly":
                break
            case "$defs":
                guard case .object(let defs) = v else { throw error(key, "must be an object of schemas") }
                // Compiled now, so a bad definition fails the load even when nothing refers to it.
                for name in defs.keys { _ = reserve(document: document, pointer: pointer + [key, name]) }
            case "$ref":
                guard let s = v.stringValue else { throw error(key, "must be a string") }
                ref = try resolveRef(s, from: document, location: Self.location(document, pointer + [key]))
            case "type":
                var mask = TypeMask()
                let names: [JSONValue]
                switch v {
                case .string: names = [v]
                case .array(let a) where !a.isEmpty: names = a
                default: throw error(key, "must be a type name or a non-empty array of type names")
                }
                for n in names {
                    guard let name = n.stringValue, let t = TypeMask.names.first(where: { $0.0 == name }) else {
                        throw error(key, "unknown type \(n.jsonText)")
                    }
                    guard !mask.contains(t.1) else { throw error(key, "type \"\(name)\" is listed twice") }
                    mask.insert(t.1)
                }
                types = mask
            case "enum":
                guard case .array(let a) = v, !a.isEmpty else { throw error(key, "must be a non-empty array") }
                enumValues = a
            case "const":
                constValue = v
            case "minLength":
                minLength = try nonNegativeInt(v, key)
            case "maxLength":
                maxLength = try nonNegativeInt(v, key)
            case "pattern":
                guard let source = v.stringValue else { throw error(key, "must be a string") }
                pattern = try compilePattern(source, location: Self.location(document, pointer + [key]))
            case "format":
                guard let name = v.stringValue else { throw error(key, "must be a string") }
                guard let known = StringFormat(rawValue: name) else {
                    throw error(key, "unsupported format \"\(name)\" (supported: date-time)")
                }
                format = known
            case "minimum":
                minimum = try number(v, key)
            case "maximum":
                maximum = try number(v, key)
            case "exclusiveMinimum":
                exclusiveMinimum = try number(v, key)
            case "exclusiveMaximum":
                exclusiveMaximum = try number(v, key)
            case "multipleOf":
                guard let d = v.doubleValue, d > 0 else { throw error(key, "must be a number greater than 0") }
                multipleOf = v
            case "properties":
                guard case .object(let props) = v else { throw error(key, "must be an object of schemas") }
                for (name, schema) in props { properties.append((name, try sub(schema, key, name))) }
                hasObject = true
            case "required":
                guard case .array(let a) = v else { throw error(key, "must be an array of strings") }
                for n in a {
                    guard let name = n.stringValue else { throw error(key, "must be an array of strings") }
                    guard !required.contains(name) else { throw error(key, "\"\(name)\" is listed twice") }
                    required.append(name)
                }
                hasObject = true
            case "additionalProperties":
                additionalProperties = try sub(v, key)
                hasObject = true
            case "patternProperties":
                guard case .object(let pp) = v else { throw error(key, "must be an object of schemas") }
                for (source, schema) in pp {
                    let compiled = try compilePattern(source, location: Self.location(document, pointer + [key, source]))
                    patternProperties.append(PatternPropertyRule(pattern: compiled, node: try sub(schema, key, source)))
                }
                hasObject = true
            case "minProperties":
                minProperties = try nonNegativeInt(v, key)
                hasObject = true
            case "maxProperties":
                maxProperties = try nonNegativeInt(v, key)
                hasObject = true
            case "items":
                if case .array = v {
                    throw error(key, "must be a schema (draft 2020-12); the array form is prefixItems, which is not supported")
                }
                items = try sub(v, key)
                hasArray = true
            case "minItems":
                minItems = try nonNegativeInt(v, key)
                hasArray = true
            case "maxItems":
                maxItems = try nonNegativeInt(v, key)
                hasArray = true
            case "uniqueItems":
                guard let b = v.boolValue else { throw error(key, "must be a boolean") }
                uniqueItems = b
                hasArray = true
            case "allOf":
                allOf = try schemaArray(v, key)
            case "anyOf":
                anyOf = try schemaArray(v, key)
            case "oneOf":
                oneOf = try schemaArray(v, key)
            case "not":
                not = try sub(v, key)
            case "if":
                ifNode = try sub(v, key)
            case "then":
                thenNode = try sub(v, key)
            case "else":
                elseNode = try sub(v, key)
            default:
                throw error(key, "unsupported keyword \"\(key)\"")
            }
        }

        if let min = minLength, let max = maxLength, min > max {
            throw error("minLength", "minLength \(min) is greater than maxLength \(max)")
        }
        var condition: Conditional?
        if let ifNode {
            condition = Conditional(if: ifNode, then: thenNode, else: elseNode)
        }
        // `then` / `else` without `if` have no effect (2020-12 §10.2.2); accepted as written.

        let hasString = minLength != nil || maxLength != nil || pattern != nil || format != nil
        let hasNumber = minimum != nil || maximum != nil || exclusiveMinimum != nil || exclusiveMaximum != nil || multipleOf != nil
        return SchemaNode(
            location: here, types: types, enumValues: enumValues, constValue: constValue,
            string: hasString ? StringRules(minLength: minLength, maxLength: maxLength, pattern: pattern, format: format) : nil,
            number: hasNumber
                ? NumberRules(
                    minimum: minimum, maximum: maximum, exclusiveMinimum: exclusiveMinimum, exclusiveMaximum: exclusiveMaximum,
                    multipleOf: multipleOf) : nil,
            object: hasObject
                ? ObjectRules(
                    properties: properties, required: required, patternProperties: patternProperties,
                    additionalProperties: additionalProperties, minProperties: minProperties, maxProperties: maxProperties) : nil,
            array: hasArray ? ArrayRules(items: items, minItems: minItems, maxItems: maxItems, uniqueItems: uniqueItems) : nil,
            ref: ref, allOf: allOf, anyOf: anyOf, oneOf: oneOf, not: not, condition: condition)
    }

    private mutating func compilePattern(_ source: String, location: String) throws(SchemaLoadError) -> CompiledPattern {
        if let p = patterns[source] { return p }
        do {
            let p = try CompiledPattern(source)
            patterns[source] = p
            return p
        } catch {
            throw SchemaLoadError(location: location, message: error.message)
        }
    }

    // MARK: $ref

    /// Resolves a `$ref` against the document it appears in (documents are identified by their
    /// `$id`, e.g. `xtrlv2/guard_outcome.v1`; a relative reference is resolved like a relative
    /// URI, `../xtrlv2/guard_outcome.v1` from `opctrl/…`; a reference that does not resolve that
    /// way is tried as an `$id` as written). Only JSON Pointer fragments are supported.
    private mutating func resolveRef(_ ref: String, from document: String, location: String) throws(SchemaLoadError) -> Int {
        let parts = ref.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let uriPart = String(parts[0])
        let fragment = parts.count > 1 ? String(parts[1]) : ""
        var target = document
        if !uriPart.isEmpty {
            let resolved = Self.resolveURI(uriPart, against: document)
            if documents[resolved] != nil {
                target = resolved
            } else if documents[uriPart] != nil {
                target = uriPart
            } else {
                throw SchemaLoadError(location: location, message: "$ref \"\(ref)\": no loaded schema has the $id \"\(resolved)\"")
            }
        }
        var pointer: [String] = []
        if !fragment.isEmpty {
            guard fragment.hasPrefix("/") else {
                throw SchemaLoadError(location: location, message: "$ref \"\(ref)\": anchor fragments are not supported, use a JSON Pointer")
            }
            let decoded = fragment.removingPercentEncoding ?? fragment
            pointer = decoded.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
                JSONPointer.unescape(String($0))
            }
        }
        guard let targetValue = Self.resolve(pointer: pointer, in: documents[target]!) else {
            throw SchemaLoadError(location: location, message: "$ref \"\(ref)\" points to nothing in \(target)")
        }
        guard targetValue.objectValue != nil || targetValue.boolValue != nil else {
            throw SchemaLoadError(location: location, message: "$ref \"\(ref)\" points to a \(targetValue.typeName), not a schema")
        }
        return reserve(document: target, pointer: pointer)
    }

    /// RFC 3986 §5.2 resolution for path references (no scheme or authority of their own).
    static func resolveURI(_ ref: String, against base: String) -> String {
        if ref.firstIndex(of: ":").map({ i in ref[..<i].allSatisfy { $0.isLetter || $0.isNumber || "+-.".contains($0) } }) == true {
            return ref  // absolute URI
        }
        var merged: String
        if ref.hasPrefix("/") {
            merged = ref
        } else if let slash = base.lastIndex(of: "/") {
            merged = String(base[...slash]) + ref
        } else {
            merged = ref
        }
        let absolute = merged.hasPrefix("/")
        var segments = merged.split(separator: "/", omittingEmptySubsequences: false)
        if absolute { segments.removeFirst() }
        var output: [Substring] = []
        for (i, segment) in segments.enumerated() {
            if segment == "." || segment == ".." {
                if segment == "..", !output.isEmpty { output.removeLast() }
                if i == segments.count - 1 { output.append("") }
            } else {
                output.append(segment)
            }
        }
        return (absolute ? "/" : "") + output.joined(separator: "/")
    }

    /// A cycle of `$ref`s (and in-place applicators) that never moves to a member or item would
    /// recurse forever on any instance.
    static func checkRefCycles(_ nodes: [SchemaNode]) throws(SchemaLoadError) {
        func refs(of node: SchemaNode, into out: inout [Int]) {
            if let r = node.ref { out.append(r) }
            for child in node.inPlaceChildren { refs(of: child, into: &out) }
        }
        let edges: [[Int]] = nodes.map { node in
            var out: [Int] = []
            refs(of: node, into: &out)
            return out
        }
        var state = [UInt8](repeating: 0, count: nodes.count)  // 0 new, 1 on stack, 2 done
        var stack: [Int] = []
        func visit(_ i: Int) throws(SchemaLoadError) {
            state[i] = 1
            stack.append(i)
            for j in edges[i] {
                if state[j] == 1 {
                    let cycle = stack[stack.firstIndex(of: j)!...].map { nodes[$0].location } + [nodes[j].location]
                    throw SchemaLoadError(
                        location: nodes[j].location,
                        message: "$ref cycle that never descends into the instance: \(cycle.joined(separator: " → "))")
                }
                if state[j] == 0 { try visit(j) }
            }
            stack.removeLast()
            state[i] = 2
        }
        for i in nodes.indices where state[i] == 0 { try visit(i) }
    }
}
