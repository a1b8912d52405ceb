import Foundation
import OTLP
import Testing

@Suite struct OTLPHexTests {
    @Test func encodesLowercase() {
        #expect(OTLPHex.string(Data([0x00, 0x0F, 0xA0, 0xFF])) == "000fa0ff")
        #expect(OTLPHex.string([0x4A, 0xC7]) == "4ac7")
        #expect(OTLPHex.string(Data()) == "")
    }

    @Test func decodesEitherCase() {
        #expect(OTLPHex.data("0A0b") == Data([0x0A, 0x0B]))
        #expect(OTLPHex.data("") == Data())
        #expect(OTLPHex.data("abc") == nil)
        #expect(OTLPHex.data("zz") == nil)
    }

    @Test func roundTripsEveryByte() {
        let bytes = Data((0...255).map { UInt8($0) })
        #expect(OTLPHex.data(OTLPHex.string(bytes)) == bytes)
    }
}
