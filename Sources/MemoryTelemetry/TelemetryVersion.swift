/// This library's version, sent as `telemetry.sdk.version` and the instrumentation scope's
/// version.
enum TelemetryVersion {
    static let current = "0.2.0"
}
