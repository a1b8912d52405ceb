import Tracing

/// The arguments of a span or log: attribute values keyed by name, as literals or variables
/// (`["n": count, "source": "memoryd", "plan": .json(plan)]`). Names used in the message
/// template are formatted into `logfire.msg`.
public typealias Arguments = [String: any SpanAttributeConvertible]

extension Dictionary where Key == String, Value == any SpanAttributeConvertible {
    /// With room for the keys added before the span starts (Logfire's and the run's), so
    /// they are added without rehashing.
    var spanAttributes: SpanAttributes {
        var attributes = SpanAttributes()
        attributes.reserveCapacity(count + 14)
        for (key, value) in self { attributes.set(key, value: value.toSpanAttribute()) }
        return attributes
    }
}
