import ArgumentParser
import Foundation
import MemoryServer
import MemoryService
import MemoryStore

struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Bearer tokens for [[auth.tokens]]: make one, or hash one you have.",
        subcommands: [New.self, Hash.self])

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new random token and the [[auth.tokens]] entry (with its hash) for memoryd.toml.")

        @Option(help: "The token's id: the actor its calls are audited as.")
        var id: String

        @Option(help: "Comma-separated scopes: ingest, read, write, admin.")
        var scopes: String = "read"

        func validate() throws {
            if let problem = AuthConfiguration.Token.idProblem(id) { throw ValidationError("--id: \(problem)") }
            for name in scopes.split(separator: ",") where AccessScope(rawValue: String(name)) == nil {
                throw ValidationError("unknown scope \(name); scopes: ingest, read, write, admin")
            }
        }

        func run() throws {
            var bytes = [UInt8](repeating: 0, count: 32)
            var generator = SystemRandomNumberGenerator()
            for i in bytes.indices { bytes[i] = generator.next() }
            let token = "mdt_" + bytes.map { String(format: "%02x", $0) }.joined()
            let list = scopes.split(separator: ",").map { "\"\($0)\"" }.joined(separator: ", ")
            print("""
                token (give it to the client; it is not stored anywhere): \(token)

                [[auth.tokens]]
                id = "\(id)"
                sha256 = "\(AuditDigest.sha256Hex(token))"
                scopes = [\(list)]
                """)
        }
    }

    struct Hash: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the SHA-256 of a token read from stdin (the sha256 value of [[auth.tokens]]).",
            discussion: "Reads one line; the trailing newline is not part of the token. Equivalent: printf %s TOKEN | sha256sum")

        func run() throws {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw ValidationError("no token on stdin")
            }
            print(AuditDigest.sha256Hex(line))
        }
    }
}
