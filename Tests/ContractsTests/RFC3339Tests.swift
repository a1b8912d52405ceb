import Foundation
import Testing

@testable import Contracts

@Suite struct RFC3339Tests {
    @Test(arguments: [
        "2026-02-15T09:01:01Z", "2026-02-15t09:01:01z", "2026-02-15T09:01:01.5Z", "2026-02-15T09:01:01.123456789+01:00",
        "2026-02-15T09:01:01-08:30", "2024-02-29T00:00:00Z", "2000-02-29T23:59:59Z", "1998-12-31T23:59:60Z",
        "1998-12-31T15:59:60-08:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z",
    ])
    func valid(_ text: String) {
        #expect(RFC3339Timestamp.check(text) == nil, "\(text): \(RFC3339Timestamp.check(text) ?? "")")
        #expect(RFC3339Timestamp(text) != nil)
    }

    @Test(arguments: [
        ("2026-02-15T09:01:01", "no time zone"),
        ("2026-02-15", "date without a time"),
        ("yesterday", "not an RFC 3339 date-time"),
        ("2026-02-15 09:01:01Z", "not an RFC 3339 date-time"),
        ("2026-13-01T00:00:00Z", "month 13"),
        ("2026-02-30T00:00:00Z", "day 30"),
        ("2023-02-29T00:00:00Z", "day 29"),
        ("1900-02-29T00:00:00Z", "day 29"),
        ("2026-02-15T24:00:00Z", "time of day"),
        ("2026-02-15T09:60:00Z", "time of day"),
        ("2026-02-15T09:01:61Z", "second 61"),
        ("2026-02-15T09:01:60Z", "leap second"),
        ("2026-02-15T09:01:01+24:00", "offset out of range"),
        ("2026-02-15T09:01:01+0100", "malformed zone offset"),
        ("2026-02-15T09:01:01.Z", "no fraction digits"),
        ("2026-02-15T09:01:01ZZ", "trailing"),
        ("26-02-15T09:01:01Z", "not an RFC 3339 date-time"),
        ("2026-2-15T09:01:01Z", "not an RFC 3339 date-time"),
        ("２０２６-02-15T09:01:01Z", "not an RFC 3339 date-time"),
        ("", "not an RFC 3339 date-time"),
    ])
    func invalid(_ text: String, _ reason: String) {
        let message = RFC3339Timestamp.check(text)
        #expect(message?.contains(reason) == true, "\(text): \(message ?? "accepted")")
        #expect(RFC3339Timestamp(text) == nil)
    }

    @Test func epochAgreesWithFoundation() throws {
        let formatter = ISO8601DateFormatter()
        for text in ["2026-02-15T09:01:01Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2000-02-29T12:34:56+05:30", "1600-03-01T00:00:00-01:00"] {
            let expected = try #require(formatter.date(from: text)).timeIntervalSince1970
            let t = try #require(RFC3339Timestamp(text))
            #expect(t.epochSeconds == Int64(expected), "\(text)")
        }
        #expect(RFC3339Timestamp("2026-02-15T09:01:01Z")!.epochNanoseconds == 1_771_146_061_000_000_000)
        #expect(RFC3339Timestamp("1600-03-01T00:00:00Z")!.epochNanoseconds == nil)
        #expect(RFC3339Timestamp("9999-12-31T23:59:59Z")!.epochNanoseconds == nil)
        #expect(RFC3339Timestamp("2026-02-15T10:01:01.25+01:00")!.epochNanoseconds == RFC3339Timestamp("2026-02-15T09:01:01.25Z")!.epochNanoseconds)
        #expect(RFC3339Timestamp("2026-02-15T09:01:01.123456789123Z")!.nanosecond == 123_456_789)
    }
}
