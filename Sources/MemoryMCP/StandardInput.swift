import Foundation

/// stdin as newline-delimited messages (MCP's stdio framing).
enum StandardInput {
    /// The lines of `handle` without their line ends, blank ones skipped. Read on a thread of
    /// its own, so blocking reads stay off Swift's cooperative pool; ends at end of file.
    static func lines(of handle: FileHandle = .standardInput) -> AsyncStream<Data> {
        AsyncStream { continuation in
            Thread {
                var pending = Data()
                func emit(_ line: Data) {
                    var line = line
                    if line.last == UInt8(ascii: "\r") { line.removeLast() }
                    if !line.isEmpty { continuation.yield(line) }
                }
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    pending.append(chunk)
                    while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                        emit(Data(pending[pending.startIndex..<newline]))
                        pending = Data(pending[pending.index(after: newline)...])
                    }
                }
                emit(pending)
                continuation.finish()
            }.start()
        }
    }
}
