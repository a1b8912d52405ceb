import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A raw `GET /mcp` event stream over a plain socket: the test sees exactly when the response
/// starts and when the server ends it, which URLSession does not show.
final class EventStreamConnection {
    private let socket: Int32
    private var received = Data()

    init(port: Int, session: String) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestFailure("socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestFailure("connect: \(errno)") }
        let request = "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n"
            + "Mcp-Session-Id: \(session)\r\nMCP-Protocol-Version: 2025-11-25\r\n\r\n"
        guard request.utf8CString.withUnsafeBufferPointer({ send(socket, $0.baseAddress, $0.count - 1, 0) }) > 0 else {
            throw TestFailure("send: \(errno)")
        }
    }

    deinit { close(socket) }

    /// The response's status code, once its head has arrived.
    func status() throws -> Int {
        while received.range(of: Data("\r\n\r\n".utf8)) == nil {
            guard try receive() else { throw TestFailure("the connection closed before a response head") }
        }
        let statusLine = String(decoding: received.prefix { $0 != UInt8(ascii: "\r") }, as: UTF8.self)
        return Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// Everything the server sent until it closed the connection or ended the chunked body.
    func readToEnd() throws -> String {
        while try receive() {
            if received.range(of: Data("\r\n0\r\n\r\n".utf8)) != nil { break }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// One read; false at end of stream. A read timeout is an error (the stream did not end).
    private func receive() throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(socket, &buffer, buffer.count, 0)
        if count < 0 { throw TestFailure("recv: errno \(errno) (the stream did not end)") }
        received.append(contentsOf: buffer[0..<count])
        return count > 0
    }
}
