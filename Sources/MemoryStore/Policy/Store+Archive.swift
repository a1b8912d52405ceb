import DuckDB
import Foundation

extension Store {
    /// Adds `paths` to DuckDB's `allowed_directories`, the only places `COPY … TO` may write
    /// once `sandbox` has switched external access off. Call it before `sandbox` (which locks
    /// the configuration). Keeps directories added before, so several features can each add
    /// their own.
    public func allowDirectories(_ paths: [String]) throws {
        guard !paths.isEmpty else { return }
        let connection = try connect()
        var directories = Set(try connection.query("SELECT unnest(current_setting('allowed_directories'))")
            .rows.compactMap { $0[0].string })
        for path in paths {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
            directories.insert(absolute.hasSuffix("/") ? absolute : absolute + "/")
        }
        let list = directories.sorted().map(SQL.literal).joined(separator: ", ")
        try connection.execute("SET allowed_directories = [\(list)]")
    }
}
