/// Why an OTLP/JSON body could not be decoded, and where.
public struct OTLPDecodingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// JSON path of the offending value, e.g.
    /// `resourceSpans[0].scopeSpans[1].spans[3].startTimeUnixNano`; empty when
    /// the problem is the document itself (empty body, trailing data).
    public let path: String
    public let message: String

    init(path: String = "", _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String {
        path.isEmpty ? message : "\(path): \(message)"
    }

    /// The same error seen from the enclosing object, which holds it under `key`.
    func under(key: String) -> OTLPDecodingError {
        let path = self.path.isEmpty ? key : self.path.hasPrefix("[") ? key + self.path : key + "." + self.path
        return OTLPDecodingError(path: path, message)
    }

    /// The same error seen from the enclosing array, which holds it at `index`.
    func under(index: Int) -> OTLPDecodingError {
        let element = "[\(index)]"
        let path = self.path.isEmpty ? element : self.path.hasPrefix("[") ? element + self.path : element + "." + self.path
        return OTLPDecodingError(path: path, message)
    }
}
