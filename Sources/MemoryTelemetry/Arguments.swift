import Tracing

/// The arguments of a span or log: attribute values keyed by name, as literals or variables
/// (`["n": count, "source": "memoryd", "plan": .json(plan)]`). Names used in the message
/// template are formatted into `logfire.msg`.
public typealias Arguments = [String: any SpanAttributeConvertible]

extension Dictionary where Key == String, Value == any SpanAttributeConvertible {
    /// The arguments as span attributes. Only these are stored on the caller's thread; Logfire's
    /// fields and the run's correlation are added on export.
    var spanAttributes: SpanAttributes {
        var attributes = SpanAttributes()
        attributes.reserveCapacity(count + 2)
        for (key, value) in self { attributes.set(key, value: value.toSpanAttribute()) }
        return attributes
    }
}
