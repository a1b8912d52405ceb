/// The smallest and largest timestamp (ns) of a set of rows.
struct TimeRange {
    private(set) var low: Int64?
    private(set) var high: Int64?

    mutating func add(_ t: Int64) {
        low = min(low ?? t, t)
        high = max(high ?? t, t)
    }
}
