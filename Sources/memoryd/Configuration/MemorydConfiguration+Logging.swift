import Logging

extension MemorydConfiguration {
    /// Sends every log to stderr at the configured level (stdout carries the startup line or,
    /// for `memoryd mcp`, the protocol) and returns memoryd's logger.
    func bootstrapLogging() -> Logger {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "memoryd")
    }
}
