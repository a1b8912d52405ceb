import DuckDB
import Testing

@Suite struct ValueTests {
    @Test func descriptions() {
        #expect(Value.null.description == "NULL")
        #expect(Value.bool(true).description == "true")
        #expect(Value.bool(false).description == "false")
        #expect(Value.int(-42).description == "-42")
        #expect(Value.uint(UInt64.max).description == "18446744073709551615")
        #expect(Value.double(2.5).description == "2.5")
        #expect(Value.text("ä").description == "ä")
    }

    @Test func blobDescriptionKeepsBytesApart() {
        // Each byte must keep two hex digits, or different blobs print the same.
        let a = Value.blob([0x00, 0x1A, 0x0B]).description
        let b = Value.blob([0x00, 0x01, 0xAB]).description
        #expect(a != b)
        #expect(Value.blob([0x0F]).description.lowercased().contains("0f"))
    }

    @Test func int64Conversions() {
        #expect(Value.int(-5).int64 == -5)
        #expect(Value.uint(5).int64 == 5)
        #expect(Value.uint(UInt64.max).int64 == nil)
        #expect(Value.double(3).int64 == 3)
        #expect(Value.double(3.5).int64 == nil)
        #expect(Value.timestamp(17).int64 == 17)
        #expect(Value.date(-2).int64 == -2)
        #expect(Value.text("5").int64 == nil)
        #expect(Value.null.int64 == nil)
    }

    @Test func stringConversions() {
        #expect(Value.null.string == nil)
        #expect(Value.text("x").string == "x")
        #expect(Value.int(3).string == "3")
        #expect(Value.date(0).string == "1970-01-01")
        #expect(Value.null.isNull)
        #expect(!Value.text("").isNull)
    }
}
