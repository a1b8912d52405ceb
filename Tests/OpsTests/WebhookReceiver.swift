import Contracts
import Crypto
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A real HTTP webhook receiver in the test process, on a fixed loopback port so it can be
/// "down" (not started yet) and come up on the same URL: until `start()` the port is held by
/// a bound socket that does not listen, so connections are refused and nothing else takes it.
/// It answers by a script: the first `failures` requests get 500, the next `slow` ones wait `slowFor` before answering
/// (longer than the sender's timeout), the rest 200 (with `answerBytes` bytes of body). Every
/// request is recorded on arrival.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var body: JSONValue
        var signature: String?
        var idempotencyKey: String?
        var alertID: String { body["alert_id"]?.stringValue ?? "" }
        var state: String { body["state"]?.stringValue ?? "" }
        var rule: String { body["rule"]?.stringValue ?? "" }
        var rawBody: String
    }

    let port: Int
    /// The bound, not listening socket that holds `port` until `start()`.
    private let reservation: Mutex<Int32?>
    private let script: Mutex<(failures: Int, slow: Int)>
    private let slowFor: Duration
    private let answerBytes: Int
    private let received = Mutex<[Received]>([])
    private let task = Mutex<Task<Void, any Error>?>(nil)

    init(failures: Int = 0, slow: Int = 0, slowFor: Duration = .milliseconds(1500), answerBytes: Int = 0) throws {
        let (fd, port) = try Self.reservePort()
        self.port = port
        reservation = Mutex(fd)
        script = Mutex((failures, slow))
        self.slowFor = slowFor
        self.answerBytes = answerBytes
    }

    var url: String { "http://127.0.0.1:\(port)/hook" }
    var requests: [Received] { received.withLock { $0 } }

    /// Distinct (alert_id, state) pairs in order of first arrival.
    var firstArrivals: [Received] {
        var seen = Set<String>()
        return requests.filter { seen.insert("\($0.alertID)|\($0.state)").inserted }
    }

    deinit { reservation.withLock { if let fd = $0 { close(fd) } } }

    /// A loopback port below the kernel's ephemeral range, and the socket bound to it (not
    /// listening). Ports in the ephemeral range are handed to every outgoing connection and
    /// `bind(0)` of a busy test run, which could take the port in the moment between closing
    /// the reservation and the server binding it; below the range only an explicit bind can.
    private static func reservePort() throws -> (Int32, Int) {
        let ephemeralLow = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))
            .flatMap { $0.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } } ?? 32768
        let candidates = 10_000..<max(10_001, ephemeralLow)
        for _ in 0..<200 {
            let port = Int.random(in: candidates)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var reuse: Int32 = 1
            // The server binds with SO_REUSEADDR too, so it may take the port right after this closes.
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            if bound { return (fd, port) }
            close(fd)
        }
        throw TestError("cannot find a free port below \(ephemeralLow)")
    }

    /// Starts listening; returns once the port accepts connections, or throws why it cannot.
    func start() async throws {
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let text = String(buffer: buffer)
            let body = (try? JSONValue(parsing: Data(text.utf8))) ?? .null
            self.received.withLock {
                $0.append(Received(body: body, signature: request.headers[.init("X-Memoryd-Signature")!],
                                   idempotencyKey: request.headers[.init("Idempotency-Key")!], rawBody: text))
            }
            let action = self.script.withLock { s -> Int in
                if s.failures > 0 { s.failures -= 1; return 500 }
                if s.slow > 0 { s.slow -= 1; return 0 }
                return 200
            }
            if action == 500 { return Response(status: .internalServerError) }
            if action == 0 { try await Task.sleep(for: self.slowFor) }
            guard self.answerBytes > 0 else { return Response(status: .ok) }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "x"), count: self.answerBytes)))
        }
        var logger = Logger(label: "webhook-receiver")
        logger.logLevel = .critical
        let (listening, continuation) = AsyncStream.makeStream(of: Void.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                              onServerRunning: { _ in continuation.yield(); continuation.finish() }, logger: logger)
        reservation.withLock { if let fd = $0 { close(fd) }; $0 = nil }
        let running = Task {
            // A server that fails to start (its port taken after all) ends the wait below too.
            defer { continuation.finish() }
            try await app.runService(gracefulShutdownSignals: [])
        }
        task.withLock { $0 = running }
        var started = false
        for await _ in listening { started = true }
        if !started {
            try await running.value
            throw TestError("the webhook receiver on port \(port) stopped before it listened")
        }
    }

    func stop() async {
        guard let running = task.withLock({ t -> Task<Void, any Error>? in defer { t = nil }; return t }) else { return }
        running.cancel()
        _ = try? await running.value
    }

    /// Waits until `condition` holds over what arrived, or fails after `timeout`.
    func wait(timeout: Duration, for description: String, _ condition: ([Received]) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition(requests) {
            guard ContinuousClock.now < deadline else {
                throw TestError("timed out waiting for \(description); received \(requests.map { "\($0.rule)/\($0.state)" })")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    static func signature(_ body: String, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}
