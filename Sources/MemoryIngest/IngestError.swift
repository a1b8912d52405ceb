/// Why the ingest pipeline refused or failed a batch.
public struct IngestError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable { case queueFull, shuttingDown, commitFailed }
    public let code: Code
    public let description: String

    static let queueFull = IngestError(code: .queueFull, description: "ingest queue is full, retry later")
    static let shuttingDown = IngestError(code: .shuttingDown, description: "memoryd is shutting down")
    static func commitFailed(_ error: any Error) -> Self {
        .init(code: .commitFailed, description: "storing the batch failed: \(error)")
    }
}
