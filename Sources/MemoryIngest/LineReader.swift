import Foundation

/// Splits a byte stream into lines without holding more than one line (up to the limit) in
/// memory: a longer line is skipped to its end and reported by size, with its first bytes.
struct LineReader {
    struct Line: Sendable {
        /// The line without its newline; for a line over the limit, only its first bytes.
        var bytes: [UInt8]
        /// Where the line starts in the stream.
        var offset: Int64
        /// Where the next line starts (after the newline, or the end of the stream).
        var end: Int64
        var isTooLong: Bool
        /// False for a last line the stream ended without a newline.
        var isTerminated: Bool
        var length: Int64 { end - offset - (isTerminated ? 1 : 0) }
    }

    /// How much of an overlong line is kept, for its excerpt.
    static let keptHeadBytes = 1024

    private let maxLineBytes: Int
    private let read: () throws -> Data?
    private var buffer: [UInt8] = []
    private var start = 0
    /// Stream offset of `buffer[start]`.
    private var offset: Int64
    private var atEnd = false

    /// Where the next line starts.
    var position: Int64 { offset }
    /// Bytes read from the stream but not returned as lines yet.
    var bufferedBytes: Int64 { Int64(buffer.count - start) }
    /// The stream has ended (only what is buffered is left).
    var isAtEnd: Bool { atEnd }

    /// `read` returns the next bytes of the stream, nil or empty at its end; `offset` is the
    /// stream position of its first byte.
    init(maxLineBytes: Int, startingAt offset: Int64, read: @escaping () throws -> Data?) {
        self.maxLineBytes = maxLineBytes
        self.offset = offset
        self.read = read
    }

    mutating func next() throws -> Line? {
        var scanned = start
        while true {
            if let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                return take(upTo: newline, terminated: true)
            }
            if buffer.count - start > maxLineBytes { return try skipOverlong() }
            scanned = buffer.count
            guard try fill() else {
                return start < buffer.count ? take(upTo: buffer.count, terminated: false) : nil
            }
            scanned -= start
            buffer.removeSubrange(..<start)
            start = 0
        }
    }

    /// The next whole line already read, without reading more (nil: none buffered).
    mutating func nextBuffered() -> Line? {
        guard let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        return take(upTo: newline, terminated: true)
    }

    /// Appends the next block; false at the end of the stream.
    private mutating func fill() throws -> Bool {
        guard !atEnd, let data = try read(), !data.isEmpty else {
            atEnd = true
            return false
        }
        buffer.append(contentsOf: data)
        return true
    }

    private mutating func take(upTo end: Int, terminated: Bool) -> Line {
        let length = end - start
        let consumed = length + (terminated ? 1 : 0)
        let tooLong = length > maxLineBytes
        let bytes = Array(buffer[start..<(tooLong ? start + Self.keptHeadBytes : end)])
        let line = Line(bytes: bytes, offset: offset, end: offset + Int64(consumed), isTooLong: tooLong,
                        isTerminated: terminated)
        start += consumed
        offset += Int64(consumed)
        return line
    }

    /// Drops an overlong line block by block until its newline.
    private mutating func skipOverlong() throws -> Line {
        let head = Array(buffer[start..<(start + Self.keptHeadBytes)])
        let lineOffset = offset
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                offset += Int64(newline - start + 1)
                start = newline + 1
                return Line(bytes: head, offset: lineOffset, end: offset, isTooLong: true, isTerminated: true)
            }
            offset += Int64(buffer.count - start)
            buffer.removeAll(keepingCapacity: true)
            start = 0
            guard try fill() else {
                return Line(bytes: head, offset: lineOffset, end: offset, isTooLong: true, isTerminated: false)
            }
        }
    }
}
