#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Trace and span ids from a xoshiro256** generator per thread, seeded from the system's
/// random source once per thread: no syscall and no shared state per id, which is what made
/// ids expensive before. The ids are random (W3C asks trace ids to be), never zero (zero means
/// "invalid" on the wire).
enum SpanIDGenerator {
    /// Nonzero 64 random bits.
    static func next64() -> UInt64 {
        let state = threadState()
        while true {
            let value = state.pointee.next()
            if value != 0 { return value }
        }
    }

    /// A trace id: 128 random bits, not all zero.
    static func nextTraceID() -> TraceID {
        let state = threadState()
        while true {
            let id = TraceID(high: state.pointee.next(), low: state.pointee.next())
            if id.high != 0 || id.low != 0 { return id }
        }
    }

    /// The calling thread's generator, created on first use and freed with the thread.
    private static func threadState() -> UnsafeMutablePointer<Xoshiro256StarStar> {
        if let raw = pthread_getspecific(stateKey) {
            return raw.assumingMemoryBound(to: Xoshiro256StarStar.self)
        }
        let state = UnsafeMutablePointer<Xoshiro256StarStar>.allocate(capacity: 1)
        var system = SystemRandomNumberGenerator()
        state.initialize(to: Xoshiro256StarStar(seededBy: &system))
        pthread_setspecific(stateKey, state)
        return state
    }

    private static let stateKey: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { raw in
            #if canImport(Darwin)
            raw.deallocate()
            #else
            raw?.deallocate()
            #endif
        }
        precondition(status == 0, "pthread_key_create failed: \(status)")
        return key
    }()
}

/// xoshiro256** (Blackman and Vigna): 256 bits of state, period 2^256 − 1, passes BigCrush;
/// about a nanosecond per 64 bits.
struct Xoshiro256StarStar {
    private var s0, s1, s2, s3: UInt64

    init(seededBy source: inout some RandomNumberGenerator) {
        repeat {
            (s0, s1, s2, s3) = (source.next(), source.next(), source.next(), source.next())
        } while s0 | s1 | s2 | s3 == 0  // the one state it cannot leave
    }

    mutating func next() -> UInt64 {
        let result = (s1 &* 5).rotatedLeft(by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3.rotatedLeft(by: 45)
        return result
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(by n: UInt64) -> UInt64 { (self << n) | (self >> (64 - n)) }
}
