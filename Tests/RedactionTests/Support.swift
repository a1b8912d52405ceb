import Foundation
import Redaction

/// Realistic-looking tokens are assembled from pieces so that no secret scanner (GitHub push
/// protection, gitleaks, …) flags this repository; none of them is a real credential.
enum Secrets {
    static let aws = "AKIA" + "IOSFODNN7EXAMPLE"
    static let awsSession = "ASIA" + "Y34FZKBOKMUTVV7A"
    static let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + "." + "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
        + "." + "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    static let githubClassic = "gh" + "p_" + "aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5"
    static let githubOAuth = "gh" + "o_" + "16C7e42F292c6912E7710c838347Ae178B4a"
    static let githubApp = "gh" + "s_" + "wRzXq7bN2vK9pL4mT6yH1cJ8dF3gA5sE0uI2"
    static let githubUser = "gh" + "u_" + "Zp4Kx9Lm2Nq7Rt5Vw8Yb3Cd6Fg1Hj0Ks4Mn7"
    static let githubRefresh = "gh" + "r_" + "1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498"
    static let githubPAT = "github" + "_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"
    static let slackBot = "xo" + "xb-" + "1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
    static let slackUser = "xo" + "xp-" + "1234567890-0987654321-1122334455-abcdef0123456789abcdef0123456789"
    static let slackApp = "xo" + "xa-" + "2-1234567890-AbCdEfGhIj"
    static let slackRefresh = "xo" + "xr-" + "1234567890-AbCdEfGhIjKl"
    static let slackSession = "xo" + "xs-" + "1234567890-AbCdEfGhIjKl"
    static let openAI = "sk-" + "proj-" + "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78St90"
    static let anthropic = "sk-" + "ant-api03-" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-AbCdEfGh_12345678"
    static let fixtureAPIKey = "sk-" + "live-123"
    static let stripe = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
    static let google = "AI" + "za" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"
    static let logfire = "pylf_" + "v1_us_" + "Q1w2E3r4T5y6U7i8O9p0AsDfGhJkL"
    static let pemRSA = """
        -----BEGIN RSA PRIVATE KEY-----
        MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun
        VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK
        -----END RSA PRIVATE KEY-----
        """
    static let pemPKCS8 = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----"
    static let pemOpenSSH = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----"
    static let pemEncrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----"
}

extension Redactor {
    static let standard: Redactor = try! Redactor()
}

/// Redacts `s` as an anonymous value and returns the result (the input when unchanged) and the records.
func redactedValue(_ s: String, _ r: Redactor = .standard, path: String = "attributes.v") -> (String, [Redaction]) {
    var records: [Redaction] = []
    let out = r.redactValue(s, path: path, into: &records)
    return (out ?? s, records)
}

func redactedAttribute(_ key: String, _ value: String, _ r: Redactor = .standard) -> (String, [Redaction]) {
    var records: [Redaction] = []
    let out = r.redactAttribute(key: key, value: value, path: "attributes." + key, into: &records)
    return (out ?? value, records)
}

/// True when `text` parses as JSON (objects, arrays or fragments).
func isValidJSON(_ text: String) -> Bool {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) != nil
}

func jsonObject(_ text: String) -> Any? {
    try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
}
