import Synchronization

/// The `clientInfo.name` one client sent in `initialize`: written once by the initialize hook,
/// read by every tool call of that client (handlers run concurrently, hence the lock).
final class ClientName: Sendable {
    private let name = Mutex<String?>(nil)

    var value: String? {
        get { name.withLock { $0 } }
        set { name.withLock { $0 = newValue } }
    }
}
