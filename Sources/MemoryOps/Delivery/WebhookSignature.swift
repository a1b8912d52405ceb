import Crypto
import Foundation

/// `X-Memoryd-Signature: sha256=<hex HMAC-SHA256 of the body>` with the rule's secret, so a
/// receiver can tell memoryd's deliveries from forgeries.
public enum WebhookSignature {
    public static let header = "X-Memoryd-Signature"

    public static func value(body: String, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}
