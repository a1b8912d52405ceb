/// A deterministic 128-bit content key (two differently seeded 64-bit lanes with murmur3's
/// finalizer per word). Swift's `Hasher` is seeded per process, so it cannot key rows that a
/// retry after a restart must find again. Not cryptographic: it only has to keep distinct
/// records apart.
struct StableKey {
    private var a: UInt64 = 0x9E37_79B9_7F4A_7C15
    private var b: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private var length: UInt64 = 0

    mutating func add(_ s: String?) {
        guard var s else { return add(UInt64.max) }
        s.withUTF8 { add(bytes: UnsafeRawBufferPointer($0)) }
    }

    mutating func add(_ v: Int64) { add(UInt64(bitPattern: v)) }
    mutating func add(_ v: Double?) { add(v.map(\.bitPattern) ?? UInt64.max - 1) }

    mutating func add(bytes: UnsafeRawBufferPointer) {
        var i = 0
        while i + 8 <= bytes.count {
            add(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count {
            tail |= UInt64(bytes[i]) << shift
            shift += 8
            i += 1
        }
        add(tail ^ (UInt64(bytes.count) << 56))
    }

    mutating func add(_ word: UInt64) {
        length &+= 1
        a = Self.mix(a ^ word &+ length)
        b = Self.mix((b &+ word) ^ (length &* 0xFF51_AFD7_ED55_8CCD))
    }

    private static func mix(_ x: UInt64) -> UInt64 {
        var x = x
        x ^= x >> 33
        x &*= 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x &*= 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
    }

    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0, count: 32)
        for (n, word) in [a, b].enumerated() {
            for i in 0..<16 { out[n * 16 + i] = digits[Int((word >> (60 - 4 * UInt64(i))) & 0xF)] }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
