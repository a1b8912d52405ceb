import Foundation

/// A JSON Schema `pattern`, compiled once at schema load.
///
/// JSON Schema patterns are ECMA-262 regular expressions, matched anywhere in the string
/// (unanchored) unless the pattern says `^`/`$`. The common subset — literals, `.`, classes
/// (`[a-z0-9_]`, `[^…]`, `\d \w \s` and negations), groups (`(…)`, `(?:…)`, named), alternation,
/// the quantifiers `* + ? {n} {n,} {n,m}` (greedy or lazy) and the anchors `^ $` — is compiled to
/// an NFA program that this file runs as a Thompson/Pike simulation: linear in the input, no
/// catastrophic backtracking, a few nanoseconds per character, and ECMA-262 semantics (`$` is the
/// end of input only; ICU's `$` also matches before a final newline).
///
/// Anything outside that subset (look-around, back-references, `\b`, `\p{…}`) falls back to
/// `NSRegularExpression` (ICU), which is close to ECMA-262 but slower.
final class CompiledPattern: Sendable {
    let source: String
    /// The built-in program; nil when the pattern runs on NSRegularExpression.
    let program: NFAProgram?
    private let foundation: FoundationRegex?

    struct InvalidPattern: Error {
        let message: String
    }

    init(_ source: String) throws(InvalidPattern) {
        self.source = source
        if let program = try? PatternParser.compile(source) {
            self.program = program
            foundation = nil
            return
        }
        do {
            foundation = FoundationRegex(try NSRegularExpression(pattern: source))
            program = nil
        } catch {
            throw InvalidPattern(message: "invalid regular expression \(source): \(error.localizedDescription)")
        }
    }

    /// Whether the pattern matches somewhere in `text`.
    func matches(_ text: String) -> Bool {
        if let program {
            if let r = text.utf8.withContiguousStorageIfAvailable({ program.matches($0) }) { return r }
            return Array(text.utf8).withUnsafeBufferPointer { program.matches($0) }
        }
        return foundation!.regex.firstMatch(in: text, range: NSRange(location: 0, length: text.utf16.count)) != nil
    }
}

/// NSRegularExpression is immutable once built and documented as safe to use from several threads.
struct FoundationRegex: @unchecked Sendable {
    let regex: NSRegularExpression
    init(_ regex: NSRegularExpression) { self.regex = regex }
}

// MARK: - Scalar sets

/// A set of Unicode scalars: a 128-bit map for ASCII plus sorted ranges for the rest.
struct ScalarSet: Sendable {
    private(set) var low: UInt64 = 0  // scalars 0..<64
    private(set) var high: UInt64 = 0  // scalars 64..<128
    private(set) var ranges: [ClosedRange<UInt32>] = []  // non-ASCII part
    private(set) var negated = false

    mutating func insert(_ range: ClosedRange<UInt32>) {
        var lo = range.lowerBound
        while lo <= range.upperBound, lo < 128 {
            if lo < 64 { low |= 1 << UInt64(lo) } else { high |= 1 << UInt64(lo - 64) }
            lo += 1
        }
        if lo <= range.upperBound { ranges.append(lo...range.upperBound) }
    }

    mutating func insert(_ other: ScalarSet) {
        precondition(!other.negated)
        low |= other.low
        high |= other.high
        ranges += other.ranges
    }

    /// The complement, as a negated set (cheap: one flag).
    func inverted() -> ScalarSet {
        var s = self
        s.negated.toggle()
        return s
    }

    @inline(__always) func contains(_ c: UInt32) -> Bool {
        let inSet: Bool
        if c < 64 {
            inSet = low & (1 << UInt64(c)) != 0
        } else if c < 128 {
            inSet = high & (1 << UInt64(c - 64)) != 0
        } else {
            inSet = ranges.contains { $0.contains(c) }
        }
        return inSet != negated
    }

    static func of(_ scalars: UInt32...) -> ScalarSet {
        var s = ScalarSet()
        for c in scalars { s.insert(c...c) }
        return s
    }

    static let digit: ScalarSet = {
        var s = ScalarSet()
        s.insert(48...57)
        return s
    }()

    static let word: ScalarSet = {
        var s = ScalarSet()
        s.insert(48...57)
        s.insert(65...90)
        s.insert(97...122)
        s.insert(95...95)
        return s
    }()

    /// ECMA-262 WhiteSpace and LineTerminator.
    static let space: ScalarSet = {
        var s = ScalarSet()
        for c: UInt32 in [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF] {
            s.insert(c...c)
        }
        s.insert(0x2000...0x200A)
        return s
    }()

    /// `.`: anything but a line terminator.
    static let dot = ScalarSet.of(0x0A, 0x0D, 0x2028, 0x2029).inverted()
}

// MARK: - Program

/// Instructions of the NFA program, and the two ways to run them: a backtracking search that
/// remembers every (instruction, position) it has tried (so it never tries one twice: linear
/// time, like RE2's "BitState"), for the usual short strings; a Pike VM (Thompson simulation,
/// memory independent of the input) for long ones.
final class NFAProgram: Sendable {
    enum Op: UInt8, Sendable {
        case consume  // x: index of the scalar set; next is pc + 1
        case split  // x, y: both branches
        case jump  // x
        case assertStart
        case assertEnd
        case match
    }

    struct Instruction: Sendable {
        var op: Op
        var x: Int32 = 0
        var y: Int32 = 0
    }

    /// What the compiler emits.
    struct Builder {
        var instructions: [Instruction] = []
        var sets: [ScalarSet] = []
    }

    let instructions: [Instruction]
    let sets: [ScalarSet]
    /// ASCII membership of each set (negation folded in), so the hot path reads two words.
    private let asciiLow: [UInt64]
    private let asciiHigh: [UInt64]
    private let splitCount: Int
    /// Every match starts at offset 0 (`^` leads every alternative), so there is no restart.
    let anchoredAtStart: Bool

    /// Largest visited-set of the backtracking search, in bits (4 KiB).
    static let backtrackLimit = 32_768

    init(_ builder: Builder, anchoredAtStart: Bool) {
        instructions = builder.instructions
        sets = builder.sets
        asciiLow = sets.map { s in (0..<64).reduce(UInt64(0)) { s.contains(UInt32($1)) ? $0 | 1 << UInt64($1) : $0 } }
        asciiHigh = sets.map { s in (64..<128).reduce(UInt64(0)) { s.contains(UInt32($1)) ? $0 | 1 << UInt64($1 - 64) : $0 } }
        splitCount = instructions.count { $0.op == .split }
        self.anchoredAtStart = anchoredAtStart
    }

    /// Whether the program matches somewhere in `text` (valid UTF-8).
    func matches(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        instructions.count * (text.count + 1) <= Self.backtrackLimit ? backtrack(text) : simulate(text)
    }

    @inline(__always) private static func decode(_ text: UnsafeBufferPointer<UInt8>, _ pos: Int) -> (scalar: UInt32, width: Int) {
        let b0 = UInt32(text[pos])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | (UInt32(text[pos + 1]) & 0x3F), 2) }
        if b0 < 0xF0 {
            return ((b0 & 0x0F) << 12 | (UInt32(text[pos + 1]) & 0x3F) << 6 | (UInt32(text[pos + 2]) & 0x3F), 3)
        }
        return (
            (b0 & 0x07) << 18 | (UInt32(text[pos + 1]) & 0x3F) << 12 | (UInt32(text[pos + 2]) & 0x3F) << 6 | (UInt32(text[pos + 3]) & 0x3F),
            4
        )
    }

    @inline(__always) private func member(
        _ set: Int, _ c: UInt32, _ low: UnsafeBufferPointer<UInt64>, _ high: UnsafeBufferPointer<UInt64>
    ) -> Bool {
        if c < 64 { return low[set] & (1 << UInt64(c)) != 0 }
        if c < 128 { return high[set] & (1 << UInt64(c - 64)) != 0 }
        return sets[set].contains(c)
    }

    private func backtrack(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = text.count
        let width = n + 1
        let words = (instructions.count * width + 63) / 64
        // A thread is pushed when a split is first reached at a position, or at a new start.
        let stackPairs = (splitCount + 1) * width + 1
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: words) { visited in
            visited.initialize(repeating: 0)
            return withUnsafeTemporaryAllocation(of: Int32.self, capacity: stackPairs * 2) { stack in
                instructions.withUnsafeBufferPointer { code in
                    asciiLow.withUnsafeBufferPointer { low in
                        asciiHigh.withUnsafeBufferPointer { high in
                            var start = 0
                            while true {
                                stack[0] = 0
                                stack[1] = Int32(start)
                                var sp = 1
                                while sp > 0 {
                                    sp -= 1
                                    var pc = Int(stack[2 * sp])
                                    var pos = Int(stack[2 * sp + 1])
                                    thread: while true {
                                        let bit = pc * width + pos
                                        let mask = UInt64(1) << UInt64(bit & 63)
                                        if visited[bit >> 6] & mask != 0 { break thread }
                                        visited[bit >> 6] |= mask
                                        let inst = code[pc]
                                        switch inst.op {
                                        case .consume:
                                            guard pos < n else { break thread }
                                            let (c, w) = Self.decode(text, pos)
                                            guard member(Int(inst.x), c, low, high) else { break thread }
                                            pc += 1
                                            pos += w
                                        case .split:
                                            stack[2 * sp] = inst.y
                                            stack[2 * sp + 1] = Int32(pos)
                                            sp += 1
                                            pc = Int(inst.x)
                                        case .jump:
                                            pc = Int(inst.x)
                                        case .assertStart:
                                            guard pos == 0 else { break thread }
                                            pc += 1
                                        case .assertEnd:
                                            guard pos == n else { break thread }
                                            pc += 1
                                        case .match:
                                            return true
                                        }
                                    }
                                }
                                if anchoredAtStart || start >= n { return false }
                                start += Self.decode(text, start).width
                            }
                        }
                    }
                }
            }
        }
    }

    private func simulate(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = instructions.count
        return instructions.withUnsafeBufferPointer { code in
            asciiLow.withUnsafeBufferPointer { low in
                asciiHigh.withUnsafeBufferPointer { high in
                    withUnsafeTemporaryAllocation(of: Int32.self, capacity: count * 5 + 2) { memory in
                        let base = memory.baseAddress!
                        var current = base  // threads waiting to consume at this position
                        var next = base + count  // threads for the next position
                        let marks = base + 2 * count  // generation stamp per instruction
                        let stack = base + 3 * count  // 2 * count + 2 slots: each instruction is expanded once
                        marks.initialize(repeating: 0, count: count)
                        var currentCount = 0
                        var nextCount = 0
                        var generation: Int32 = 1
                        let end = text.count

                        /// Follows empty transitions from `pc` at `pos`; collects consuming threads.
                        /// Returns true when `match` is reachable.
                        func add(_ pc: Int32, _ pos: Int, into list: UnsafeMutablePointer<Int32>, _ listCount: inout Int) -> Bool {
                            var sp = 0
                            stack[sp] = pc
                            sp += 1
                            while sp > 0 {
                                sp -= 1
                                let pc = Int(stack[sp])
                                if marks[pc] == generation { continue }
                                marks[pc] = generation
                                let inst = code[pc]
                                switch inst.op {
                                case .consume:
                                    list[listCount] = Int32(pc)
                                    listCount += 1
                                case .split:
                                    stack[sp] = inst.y
                                    stack[sp + 1] = inst.x
                                    sp += 2
                                case .jump:
                                    stack[sp] = inst.x
                                    sp += 1
                                case .assertStart:
                                    if pos == 0 {
                                        stack[sp] = Int32(pc + 1)
                                        sp += 1
                                    }
                                case .assertEnd:
                                    if pos == end {
                                        stack[sp] = Int32(pc + 1)
                                        sp += 1
                                    }
                                case .match:
                                    return true
                                }
                            }
                            return false
                        }

                        if add(0, 0, into: current, &currentCount) { return true }
                        var pos = 0
                        while pos < end {
                            if currentCount == 0 && anchoredAtStart { return false }
                            let (scalar, width) = Self.decode(text, pos)
                            let after = pos + width
                            generation += 1
                            nextCount = 0
                            for t in 0..<currentCount {
                                let pc = Int(current[t])
                                if member(Int(code[pc].x), scalar, low, high) {
                                    if add(Int32(pc + 1), after, into: next, &nextCount) { return true }
                                }
                            }
                            // Unanchored search: a match may also start at the next position.
                            if !anchoredAtStart, add(0, after, into: next, &nextCount) { return true }
                            swap(&current, &next)
                            currentCount = nextCount
                            pos = after
                        }
                        return false
                    }
                }
            }
        }
    }

    /// For tests: run one engine explicitly.
    func matches(_ text: String, engine: Engine) -> Bool {
        Array(text.utf8).withUnsafeBufferPointer { engine == .backtrack ? backtrack($0) : simulate($0) }
    }

    enum Engine { case backtrack, simulate }
}

// MARK: - Parser and compiler

/// Parses the supported ECMA-262 subset and emits an `NFAProgram`. Throws for anything else
/// (the caller then uses NSRegularExpression).
enum PatternParser {
    struct Unsupported: Error {}

    indirect enum Node {
        case set(ScalarSet)
        case start
        case end
        case empty
        case concat([Node])
        case alternation([Node])
        case repeated(Node, min: Int, max: Int?)
    }

    /// Largest program the compiler emits (counted repetitions are expanded).
    static let maxInstructions = 4096

    static func compile(_ source: String) throws -> NFAProgram {
        var parser = Parser(scalars: Array(source.unicodeScalars))
        let node = try parser.disjunction()
        guard parser.atEnd else { throw Unsupported() }
        var program = NFAProgram.Builder()
        try emit(node, into: &program)
        program.instructions.append(.init(op: .match))
        return NFAProgram(program, anchoredAtStart: startsAnchored(node))
    }

    private static func startsAnchored(_ node: Node) -> Bool {
        switch node {
        case .start: true
        case .concat(let parts): parts.first.map(startsAnchored) ?? false
        case .alternation(let alts): alts.allSatisfy(startsAnchored)
        default: false
        }
    }

    private static func emit(_ node: Node, into p: inout NFAProgram.Builder) throws {
        guard p.instructions.count < maxInstructions else { throw Unsupported() }
        switch node {
        case .set(let s):
            p.sets.append(s)
            p.instructions.append(.init(op: .consume, x: Int32(p.sets.count - 1)))
        case .start: p.instructions.append(.init(op: .assertStart))
        case .end: p.instructions.append(.init(op: .assertEnd))
        case .empty: break
        case .concat(let parts):
            for part in parts { try emit(part, into: &p) }
        case .alternation(let alts):
            // split L1, next; L1: a; jump end; next: split L2, … ; last: z; end:
            var jumps: [Int] = []
            for (i, alt) in alts.enumerated() {
                if i < alts.count - 1 {
                    let split = p.instructions.count
                    p.instructions.append(.init(op: .split))
                    p.instructions[split].x = Int32(split + 1)
                    try emit(alt, into: &p)
                    jumps.append(p.instructions.count)
                    p.instructions.append(.init(op: .jump))
                    p.instructions[split].y = Int32(p.instructions.count)
                } else {
                    try emit(alt, into: &p)
                }
            }
            for j in jumps { p.instructions[j].x = Int32(p.instructions.count) }
        case .repeated(let body, let min, let max):
            for _ in 0..<min { try emit(body, into: &p) }
            if let max {
                // Optional copies: split body, end — each one.
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(p.instructions.count)
                    p.instructions.append(.init(op: .split))
                    p.instructions[splits.last!].x = Int32(p.instructions.count)
                    try emit(body, into: &p)
                }
                for s in splits { p.instructions[s].y = Int32(p.instructions.count) }
            } else {
                // L: split body, end; body; jump L; end:
                let loop = p.instructions.count
                p.instructions.append(.init(op: .split))
                p.instructions[loop].x = Int32(loop + 1)
                try emit(body, into: &p)
                p.instructions.append(.init(op: .jump, x: Int32(loop)))
                p.instructions[loop].y = Int32(p.instructions.count)
            }
        }
        guard p.instructions.count <= maxInstructions else { throw Unsupported() }
    }

    struct Parser {
        let scalars: [Unicode.Scalar]
        var i = 0

        var atEnd: Bool { i == scalars.count }
        func peek(_ ahead: Int = 0) -> Unicode.Scalar? { i + ahead < scalars.count ? scalars[i + ahead] : nil }

        mutating func disjunction() throws -> Node {
            var alts = [try alternative()]
            while peek() == "|" {
                i += 1
                alts.append(try alternative())
            }
            return alts.count == 1 ? alts[0] : .alternation(alts)
        }

        mutating func alternative() throws -> Node {
            var parts: [Node] = []
            while let c = peek(), c != "|", c != ")" {
                parts.append(try term())
            }
            if parts.isEmpty { return .empty }
            return parts.count == 1 ? parts[0] : .concat(parts)
        }

        mutating func term() throws -> Node {
            let c = peek()!
            if c == "^" {
                i += 1
                return .start
            }
            if c == "$" {
                i += 1
                return .end
            }
            let atom = try self.atom()
            guard let (min, max) = try quantifier() else { return atom }
            if peek() == "?" { i += 1 }  // lazy: same set of matches
            return .repeated(atom, min: min, max: max)
        }

        mutating func quantifier() throws -> (Int, Int?)? {
            switch peek() {
            case "*":
                i += 1
                return (0, nil)
            case "+":
                i += 1
                return (1, nil)
            case "?":
                i += 1
                return (0, 1)
            case "{":
                i += 1
                let min = try integer()
                var max: Int? = min
                if peek() == "," {
                    i += 1
                    max = peek() == "}" ? nil : try integer()
                }
                guard peek() == "}" else { throw Unsupported() }
                i += 1
                if let max, max < min { throw Unsupported() }
                return (min, max)
            default:
                return nil
            }
        }

        mutating func integer() throws -> Int {
            var v = 0
            var digits = 0
            while let c = peek(), (48...57).contains(c.value) {
                v = v * 10 + Int(c.value - 48)
                digits += 1
                i += 1
                if v > 1000 { throw Unsupported() }
            }
            guard digits > 0 else { throw Unsupported() }
            return v
        }

        mutating func atom() throws -> Node {
            let c = peek()!
            switch c {
            case ".":
                i += 1
                return .set(.dot)
            case "(":
                i += 1
                if peek() == "?" {
                    // Non-capturing and named groups only; look-around is not supported.
                    if peek(1) == ":" {
                        i += 2
                    } else if peek(1) == "<", let n = peek(2), n != "=", n != "!" {
                        i += 2
                        while let c = peek(), c != ">" { i += 1 }
                        guard peek() == ">" else { throw Unsupported() }
                        i += 1
                    } else {
                        throw Unsupported()
                    }
                }
                let inner = try disjunction()
                guard peek() == ")" else { throw Unsupported() }
                i += 1
                return inner
            case "[":
                return .set(try characterClass())
            case "\\":
                i += 1
                switch try escape(inClass: false) {
                case .single(let v): return .set(.of(v))
                case .set(let s): return .set(s)
                }
            case "*", "+", "?", "{", "}", "]", ")", "|":
                throw Unsupported()  // a quantifier with nothing to repeat, or a lone bracket
            default:
                i += 1
                return .set(.of(c.value))
            }
        }

        /// After the backslash: one scalar, or a class escape.
        mutating func escape(inClass: Bool) throws -> ClassAtom {
            guard let c = peek() else { throw Unsupported() }
            i += 1
            switch c {
            case "d": return .set(.digit)
            case "D": return .set(ScalarSet.digit.inverted())
            case "w": return .set(.word)
            case "W": return .set(ScalarSet.word.inverted())
            case "s": return .set(.space)
            case "S": return .set(ScalarSet.space.inverted())
            case "n": return .single(0x0A)
            case "r": return .single(0x0D)
            case "t": return .single(0x09)
            case "v": return .single(0x0B)
            case "f": return .single(0x0C)
            case "b" where inClass: return .single(0x08)
            case "0" where !(peek().map { ("0"..."9").contains($0) } ?? false): return .single(0)
            case "x":
                return .single(try hex(count: 2))
            case "u":
                if peek() == "{" {
                    i += 1
                    var v: UInt32 = 0
                    var n = 0
                    while let h = peek(), let d = h.hexDigitValue {
                        v = v * 16 + UInt32(d)
                        n += 1
                        i += 1
                        guard n <= 6 else { throw Unsupported() }
                    }
                    guard n > 0, peek() == "}", Unicode.Scalar(v) != nil else { throw Unsupported() }
                    i += 1
                    return .single(v)
                }
                let v = try hex(count: 4)
                guard Unicode.Scalar(v) != nil else { throw Unsupported() }  // surrogate escapes
                return .single(v)
            case "^", "$", "\\", ".", "*", "+", "?", "(", ")", "[", "]", "{", "}", "|", "/":
                return .single(c.value)
            case "-" where inClass:
                return .single(c.value)
            default:
                throw Unsupported()  // \b, \B, back-references, \p{…}, \c…, and identity escapes
            }
        }

        mutating func hex(count: Int) throws -> UInt32 {
            var v: UInt32 = 0
            for _ in 0..<count {
                guard let h = peek(), let d = h.hexDigitValue else { throw Unsupported() }
                v = v * 16 + UInt32(d)
                i += 1
            }
            return v
        }

        mutating func characterClass() throws -> ScalarSet {
            i += 1  // [
            var negated = false
            if peek() == "^" {
                negated = true
                i += 1
            }
            var set = ScalarSet()
            var complements: [ScalarSet] = []
            while true {
                guard let c = peek() else { throw Unsupported() }
                if c == "]" {
                    i += 1
                    break
                }
                let first = try classAtom()
                if peek() == "-", let after = peek(1), after != "]" {
                    i += 1
                    let second = try classAtom()
                    guard case .single(let lo) = first, case .single(let hi) = second, lo <= hi else { throw Unsupported() }
                    set.insert(lo...hi)
                    continue
                }
                switch first {
                case .single(let v): set.insert(v...v)
                case .set(let s):
                    if s.negated { complements.append(s) } else { set.insert(s) }
                }
            }
            // A negated escape (\D, \W, \S) inside a class cannot be merged into ranges cheaply.
            guard complements.isEmpty else { throw Unsupported() }
            return negated ? set.inverted() : set
        }

        enum ClassAtom {
            case single(UInt32)
            case set(ScalarSet)
        }

        mutating func classAtom() throws -> ClassAtom {
            let c = peek()!
            i += 1
            return c == "\\" ? try escape(inClass: true) : .single(c.value)
        }
    }
}

extension Unicode.Scalar {
    fileprivate var hexDigitValue: Int? {
        switch value {
        case 48...57: Int(value - 48)
        case 65...70: Int(value - 55)
        case 97...102: Int(value - 87)
        default: nil
        }
    }
}
