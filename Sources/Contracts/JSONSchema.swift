/// A compiled JSON Schema (draft 2020-12 subset, see `SchemaCompiler` for the keywords).
///
/// Compile once, validate many times: compilation turns keywords into a tree of typed rules
/// and compiles patterns; validation walks the tree without looking keyword names up.
public struct JSONSchema: Sendable {
    /// The document's `$id` (or the id it was loaded under).
    public let id: String
    let root: SchemaNode
    let table: SchemaTable

    init(id: String, root: SchemaNode, table: SchemaTable) {
        self.id = id
        self.root = root
        self.table = table
    }

    /// Compiles one standalone document (its `$ref`s may only point inside it).
    public init(_ document: JSONValue) throws(SchemaLoadError) {
        let library = try SchemaLibrary(documents: [document])
        self = library.schemas.values.first!
    }

    /// Whether the instance is valid. Stops at the first failure; builds no messages.
    public func isValid(_ instance: JSONValue) -> Bool {
        table.isValid(root, instance)
    }

    /// Every way the instance fails the schema (empty when it is valid).
    public func validate(_ instance: JSONValue) -> [SchemaError] {
        if table.isValid(root, instance) { return [] }
        return errors(instance)
    }

    /// The errors of an instance already known to be invalid.
    func errors(_ instance: JSONValue, at path: [PathElement] = []) -> [SchemaError] {
        var path = path
        var errors: [SchemaError] = []
        table.collect(root, instance, &path, &errors)
        return errors
    }
}

/// A set of schema documents compiled together, so they can `$ref` one another by `$id`.
public struct SchemaLibrary: Sendable {
    let schemas: [String: JSONSchema]

    /// Compiles the documents; each is known by its `$id` (a document without one gets
    /// `schema-N`, N its position).
    public init(documents: [JSONValue]) throws(SchemaLoadError) {
        var compiler = SchemaCompiler()
        for (i, document) in documents.enumerated() {
            try compiler.add(document, fallbackID: "schema-\(i)")
        }
        let (table, roots) = try compiler.compile()
        var schemas: [String: JSONSchema] = [:]
        for (id, slot) in roots {
            schemas[id] = JSONSchema(id: id, root: table.nodes[slot], table: table)
        }
        self.schemas = schemas
    }

    /// The `$id`s of the documents, sorted.
    public var ids: [String] { schemas.keys.sorted() }

    public subscript(id: String) -> JSONSchema? { schemas[id] }
}
