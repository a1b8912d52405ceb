// swift-tools-version:6.1
import Foundation
import PackageDescription

/// DuckDB's engine is fetched by `scripts/bootstrap-duckdb.sh` into `.deps/duckdb` (see README).
/// The rpath lets the built binaries find it without environment variables.
let duckdbLibDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent(".deps/duckdb/lib").path

let package = Package(
    name: "memoryd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "memoryd", targets: ["memoryd"]),
        .library(name: "MemoryTelemetry", targets: ["MemoryTelemetry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", exact: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", exact: "0.6.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", exact: "0.12.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", exact: "1.7.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        // The alert webhooks use them directly; MemoryTelemetry's exporter uses async-http-client.
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
    ],
    targets: [
        .systemLibrary(name: "CDuckDB"),
        .target(
            name: "DuckDB",
            dependencies: ["CDuckDB"],
            linkerSettings: [
                .unsafeFlags(["-L", duckdbLibDir, "-Xlinker", "-rpath", "-Xlinker", duckdbLibDir]),
                .linkedLibrary("duckdb"),
            ]
        ),
        .target(
            name: "OTLP",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .target(name: "Contracts", resources: [.copy("Pinned"), .copy("Owned")]),
        .target(name: "Redaction"),
        .target(
            name: "MemoryTelemetry",
            dependencies: [
                "Redaction", "Contracts",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "MemoryStore",
            dependencies: ["DuckDB", "OTLP", "Redaction", "Contracts", .product(name: "Logging", package: "swift-log"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .target(
            name: "MemoryIngest",
            dependencies: [
                "MemoryStore", "OTLP", "Redaction", "Contracts",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(
            name: "MemoryService",
            dependencies: ["MemoryStore", "DuckDB", "Contracts", "Redaction", .product(name: "Logging", package: "swift-log"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]
        ),
        .target(
            name: "MemoryOps",
            dependencies: [
                "MemoryService", "MemoryStore", "DuckDB", "Contracts",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "MemoryA2A",
            dependencies: ["MemoryService", "Contracts", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "MemoryMCP",
            dependencies: [
                "MemoryService", "Contracts",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "MemoryServer",
            dependencies: [
                "MemoryIngest", "MemoryService", "MemoryA2A", "MemoryMCP", "MemoryStore", "OTLP", "Redaction", "Contracts",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "memoryd",
            dependencies: [
                "MemoryServer", "MemoryService", "MemoryMCP", "MemoryIngest", "MemoryStore", "DuckDB", "Redaction", "Contracts",
                "MemoryTelemetry", "MemoryOps",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "MemoryAPIBench",
            dependencies: ["MemoryService", "MemoryStore", "OTLP", "Contracts", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/MemoryAPIBench"
        ),
        // Helpers for the test targets that start the real binary.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "DuckDBTests", dependencies: ["DuckDB"]),
        .testTarget(name: "OTLPTests", dependencies: ["OTLP"]),
        .testTarget(name: "RedactionTests", dependencies: ["Redaction"]),
        .testTarget(name: "ContractsTests", dependencies: ["Contracts"], exclude: ["Fixtures"]),
        .testTarget(name: "MemoryServiceTests", dependencies: [
            "MemoryService", "MemoryStore", "OTLP", "DuckDB", "Contracts", "Redaction",
            .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "StoreTests", dependencies: [
            "MemoryStore", "OTLP", "DuckDB", "Redaction", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),
        .testTarget(
            name: "IngestTests",
            dependencies: [
                "MemoryIngest", "MemoryStore", "Contracts", "DuckDB", "memoryd", "TestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "ConfigurationTests", dependencies: ["memoryd"]),
        .testTarget(
            name: "MemoryA2ATests",
            dependencies: ["MemoryA2A", "MemoryService", "MemoryStore", "Contracts", "memoryd", "TestSupport",
                           .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "MemoryMCPTests",
            dependencies: [
                "MemoryMCP", "MemoryService", "MemoryStore", "Contracts", "memoryd", "TestSupport",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "MemoryTelemetryTests",
            dependencies: [
                "MemoryTelemetry", "OTLP", "memoryd", "TestSupport",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .executableTarget(
            name: "TelemetryBench",
            dependencies: [
                "MemoryTelemetry",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Benchmarks/TelemetryBench"
        ),
        .testTarget(
            name: "PolicyTests",
            dependencies: [
                "MemoryStore", "MemoryService", "MemoryServer", "MemoryMCP", "DuckDB", "Redaction", "Contracts", "memoryd", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MCP", package: "swift-sdk"),
            ]
        ),
        .testTarget(
            name: "OpsTests",
            dependencies: [
                "MemoryOps", "MemoryService", "MemoryStore", "MemoryIngest", "MemoryServer", "Contracts", "DuckDB", "OTLP",
                "Redaction", "MemoryMCP", "memoryd", "TestSupport",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "TrackerTests",
            dependencies: [
                "MemoryStore", "MemoryService", "MemoryIngest", "Contracts", "DuckDB", "Redaction", "memoryd", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "MemoryServerTests",
            dependencies: [
                "MemoryServer", "MemoryStore", "MemoryIngest", "OTLP", "DuckDB", "memoryd", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
