import Foundation
import Testing

@testable import Contracts

@Suite struct PatternTests {
    func pattern(_ source: String) throws -> CompiledPattern {
        try CompiledPattern(source)
    }

    @Test func contractPatterns() throws {
        let trace = try pattern("^[0-9a-f]{32}$")
        #expect(trace.program != nil)
        #expect(trace.matches("1818e811892f902bd23f0824128b2f33"))
        #expect(!trace.matches("1818e811892f902bd23f0824128b2f3"))  // 31
        #expect(!trace.matches("1818e811892f902bd23f0824128b2f334"))  // 33
        #expect(!trace.matches("1818E811892F902BD23F0824128B2F33"))  // upper case
        #expect(!trace.matches("1818e811892f902bd23f0824128b2f33\n"))  // ECMA $: end of input only

        let reason = try pattern(#"^[A-Z][A-Z0-9_]*(\.[A-Z][A-Z0-9_]*){1,3}$"#)
        #expect(reason.program != nil)
        for ok in ["GUARD.OK", "STATE.VERIFY.PASSED", "OPS.ERROR_RATE.HIGH", "A.B.C.D", "X1.Y_2"] { #expect(reason.matches(ok), "\(ok)") }
        for bad in ["GUARD", "guard.ok", "GUARD.", ".OK", "A.B.C.D.E", "GUARD..OK", "GUARD.OK ", "1A.B", "GUARD.ÖK"] {
            #expect(!reason.matches(bad), "\(bad)")
        }
    }

    @Test func unanchoredPatternsSearch() throws {
        #expect(try pattern("b+c").matches("aaabbbcd"))
        #expect(try !pattern("^b").matches("ab"))
        #expect(try pattern("b$").matches("ab"))
        #expect(try pattern("").matches("anything"))
        #expect(try pattern("x|^a").matches("abc"))
    }

    @Test func classesEscapesAndQuantifiers() throws {
        #expect(try pattern(#"^\d{3}-\d{2,}$"#).matches("123-4567"))
        #expect(try !pattern(#"^\d{3}-\d{2,}$"#).matches("123-4"))
        #expect(try pattern(#"^\w+\s\W$"#).matches("ab_9 !"))
        #expect(try pattern(#"^[^a-c]+$"#).matches("xyz"))
        #expect(try !pattern(#"^[^a-c]+$"#).matches("xbz"))
        #expect(try pattern(#"^[a\-z]+$"#).matches("a-z"))
        #expect(try !pattern(#"^[a\-z]+$"#).matches("b"))
        #expect(try pattern(#"^[-a]$"#).matches("-"))
        #expect(try pattern(#"^a{2}b?c*?(?:de|fg)+$"#).matches("aacccdefgde"))
        #expect(try pattern(#"^(?<year>\d{4})$"#).matches("2026"))
        #expect(try pattern(#"^\u00e9\x41\u{1F600}$"#).matches("éA😀"))
        #expect(try pattern(#"^\.\*\+\?\(\)\[\]\{\}\|\/\\\^\$$"#).matches(#".*+?()[]{}|/\^$"#))
    }

    @Test func dotAndLengthCountScalars() throws {
        let three = try pattern("^.{3}$")
        #expect(three.matches("aé😀"))
        #expect(!three.matches("ab"))
        #expect(!three.matches("a\nb"))  // . excludes line terminators
        #expect(try pattern("^[é😀]+$").matches("😀é😀"))
    }

    @Test func emptyLoopsTerminate() throws {
        #expect(try pattern("^(a*)*$").matches("aaaa"))
        #expect(try !pattern("^(a*)*$").matches("aaab"))
        #expect(try pattern("^(a|b?)+c$").matches("ababc"))
    }

    /// Backtracking-prone patterns stay linear: this would take ages on a naive backtracker.
    @Test func noCatastrophicBacktracking() throws {
        let evil = try pattern("^(a+)+$")
        let input = String(repeating: "a", count: 5000) + "!"
        let start = ContinuousClock.now
        #expect(!evil.matches(input))
        #expect(!evil.matches(String(repeating: "a", count: 30) + "!"))
        // A hang guard: a backtracker would need 2^5000 steps, a linear matcher milliseconds.
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test func unsupportedSyntaxFallsBackToFoundation() throws {
        let lookahead = try pattern("^(?=.*[0-9])[a-z0-9]+$")
        #expect(lookahead.program == nil)
        #expect(lookahead.matches("abc1"))
        #expect(!lookahead.matches("abc"))
        let backref = try pattern(#"^(a)\1$"#)
        #expect(backref.program == nil)
        #expect(backref.matches("aa"))
        #expect(try pattern(#"\bword\b"#).matches("a word here"))
    }

    @Test func invalidPatternsThrow() {
        #expect(throws: CompiledPattern.InvalidPattern.self) { try CompiledPattern("(unclosed") }
        #expect(throws: CompiledPattern.InvalidPattern.self) { try CompiledPattern("[z-a]") }
    }

    /// Both engines and ICU agree on a grid of patterns and inputs (without newlines, where
    /// ICU's `$` differs from ECMA-262's).
    @Test func enginesAgreeWithFoundation() throws {
        let patterns = [
            "^[0-9a-f]{32}$", #"^[A-Z][A-Z0-9_]*(\.[A-Z][A-Z0-9_]*){1,3}$"#, "ab*c", "^(ab|a)(bc|c)?$", "a{2,3}", "^a{2,3}$", "[^x]y",
            #"\d+\.\d*"#, "^$", "(a|b)*abb", "^.?$", "é+", "[a-zé]{2}", #"^\s*\S+\s*$"#, "^(?:x|yz){0,2}q$", "a+?b", "^[\\w.-]+@[\\w-]+$",
        ]
        let inputs = [
            "", "a", "ab", "abc", "abbbc", "ac", "abcc", "aab", "aaaa", "xy", "zy", "12.", "3.14", "1818e811892f902bd23f0824128b2f33",
            "GUARD.OK", "A.B.C.D.E", "babb", "ééé", "zé", "  tok  ", "yzq", "xyzq", "xq", "q", "aaab", "me@host", "me@@host", "STATE.X",
        ]
        for source in patterns {
            let compiled = try pattern(source)
            let program = try #require(compiled.program, "\(source) should run on the built-in engine")
            let icu = try NSRegularExpression(pattern: source)
            for input in inputs {
                let expected = icu.firstMatch(in: input, range: NSRange(location: 0, length: input.utf16.count)) != nil
                #expect(program.matches(input, engine: .backtrack) == expected, "/\(source)/ on \"\(input)\" (backtrack)")
                #expect(program.matches(input, engine: .simulate) == expected, "/\(source)/ on \"\(input)\" (simulate)")
                #expect(compiled.matches(input) == expected)
            }
        }
    }

    @Test func longInputsUseTheSimulation() throws {
        let trace = try pattern("[0-9a-f]{32}")
        let long = String(repeating: "x", count: 100_000) + "1818e811892f902bd23f0824128b2f33"
        #expect(trace.matches(long))
        #expect(!trace.matches(String(repeating: "x", count: 100_000)))
    }
}
