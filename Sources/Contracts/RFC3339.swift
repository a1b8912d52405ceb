/// An RFC 3339 `date-time` (§5.6): `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, the format
/// JSON Schema's `"format": "date-time"` names. The zone is required; `T` and `Z` may be lower
/// case; a leap second (`:60`) is accepted only where it can occur, at 23:59:60 UTC.
public struct RFC3339Timestamp: Sendable, Hashable {
    public let year: Int
    public let month: Int
    public let day: Int
    public let hour: Int
    public let minute: Int
    public let second: Int
    /// Fraction of the second, truncated to nanoseconds.
    public let nanosecond: Int
    /// Offset of local time from UTC, in seconds (`+02:00` is 7200).
    public let utcOffsetSeconds: Int

    /// Parses a date-time; nil when the text is not one (see `RFC3339Timestamp.check`).
    public init?(_ text: String) {
        guard case .success(let t) = Self.parse(text) else { return nil }
        self = t
    }

    init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, nanosecond: Int, utcOffsetSeconds: Int) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.nanosecond = nanosecond
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// Whole seconds since 1970-01-01T00:00:00Z (a leap second counts as the next second).
    public var epochSeconds: Int64 {
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        return Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(utcOffsetSeconds)
    }

    /// Nanoseconds since 1970-01-01T00:00:00Z; nil outside what 64 bits hold (years 1678–2261).
    public var epochNanoseconds: Int64? {
        let (scaled, overflow) = epochSeconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (sum, overflow2) = scaled.addingReportingOverflow(Int64(nanosecond))
        return overflow2 ? nil : sum
    }

    /// nil when `text` is a valid date-time, else why not (for a validation message).
    public static func check(_ text: String) -> String? {
        switch parse(text) {
        case .success: nil
        case .failure(let reason): reason.message
        }
    }

    struct Failure: Error {
        let message: String
    }

    static func parse(_ text: String) -> Result<RFC3339Timestamp, Failure> {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    static func parse(bytes s: UnsafeBufferPointer<UInt8>) -> Result<RFC3339Timestamp, Failure> {
        func digits(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= s.count else { return nil }
            var v = 0
            for i in at..<at + count {
                let d = Int(s[i]) - 48
                guard d >= 0, d <= 9 else { return nil }
                v = v * 10 + d
            }
            return v
        }
        func byte(_ at: Int) -> UInt8? { at < s.count ? s[at] : nil }
        let notDateTime = Failure(message: "is not an RFC 3339 date-time (expected YYYY-MM-DDThh:mm:ss[.frac]Z or ±hh:mm)")

        guard let year = digits(0, 4), byte(4) == UInt8(ascii: "-"), let month = digits(5, 2), byte(7) == UInt8(ascii: "-"),
            let day = digits(8, 2)
        else { return .failure(notDateTime) }
        guard let t = byte(10), t == UInt8(ascii: "T") || t == UInt8(ascii: "t") else {
            if s.count == 10 { return .failure(Failure(message: "is a date without a time; RFC 3339 date-time needs Thh:mm:ss and a zone")) }
            return .failure(notDateTime)
        }
        guard let hour = digits(11, 2), byte(13) == UInt8(ascii: ":"), let minute = digits(14, 2), byte(16) == UInt8(ascii: ":"),
            let second = digits(17, 2)
        else { return .failure(notDateTime) }
        var i = 19
        var nanos = 0
        if byte(i) == UInt8(ascii: ".") {
            i += 1
            let fracStart = i
            var scale = 100_000_000
            while let b = byte(i), b >= 48, b <= 57 {
                nanos += Int(b - 48) * scale
                scale /= 10
                i += 1
            }
            if i == fracStart { return .failure(Failure(message: "has a '.' with no fraction digits")) }
        }
        var offset = 0
        switch byte(i) {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = byte(i) == UInt8(ascii: "-") ? -1 : 1
            guard let oh = digits(i + 1, 2), byte(i + 3) == UInt8(ascii: ":"), let om = digits(i + 4, 2) else {
                return .failure(Failure(message: "has a malformed zone offset (expected ±hh:mm)"))
            }
            guard oh <= 23, om <= 59 else { return .failure(Failure(message: "has a zone offset out of range")) }
            offset = sign * (oh * 3600 + om * 60)
            i += 6
        case nil:
            return .failure(Failure(message: "has no time zone (RFC 3339 requires Z or ±hh:mm)"))
        default:
            return .failure(notDateTime)
        }
        guard i == s.count else { return .failure(Failure(message: "has trailing characters after the zone")) }
        guard (1...12).contains(month) else { return .failure(Failure(message: "has month \(month) out of range")) }
        guard day >= 1, day <= daysInMonth(year: year, month: month) else {
            return .failure(Failure(message: "has day \(day) out of range for \(year)-\(month < 10 ? "0" : "")\(month)"))
        }
        guard hour <= 23, minute <= 59 else { return .failure(Failure(message: "has a time of day out of range")) }
        if second == 60 {
            // A leap second is 23:59:60 in UTC.
            let utcMinute = ((hour * 60 + minute - offset / 60) % 1440 + 1440) % 1440
            guard utcMinute == 23 * 60 + 59 else { return .failure(Failure(message: "has second 60 outside a leap second (23:59:60Z)")) }
        } else if second > 59 {
            return .failure(Failure(message: "has second \(second) out of range"))
        }
        return .success(
            RFC3339Timestamp(
                year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanosecond: nanos,
                utcOffsetSeconds: offset))
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
