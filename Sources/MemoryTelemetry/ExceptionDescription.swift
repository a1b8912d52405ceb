import Foundation
import Tracing

/// What an `exception` event says about an error, in OpenTelemetry's semantic conventions.
/// Swift errors carry no stack trace, so `exception.stacktrace` is the stack where the error
/// was recorded: the span's code path, which is where it was caught.
struct ExceptionDescription {
    let type: String
    let message: String
    let stacktrace: String

    init(_ error: Error) {
        type = String(describing: Swift.type(of: error))
        message = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
        stacktrace = Thread.callStackSymbols.dropFirst(2).joined(separator: "\n")
    }

    var attributes: SpanAttributes {
        ["exception.type": .string(type), "exception.message": .string(message),
         "exception.stacktrace": .string(stacktrace), "exception.escaped": true]
    }

    /// The span status message, `Type: message` as the Python SDK writes it.
    var statusMessage: String { type + ": " + message }
}
