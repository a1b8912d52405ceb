import Foundation
import Testing

@testable import Contracts

/// One keyword at a time, valid and invalid, with the paths and messages a reject reason shows.
@Suite struct SchemaKeywordTests {
    @Test func type() throws {
        let s = try schema(#"{"type": "string"}"#)
        #expect(errors(s, "x").isEmpty)
        let e = errors(s, 42)
        #expect(e.count == 1)
        #expect(e.first?.keyword == "type")
        #expect(e.first?.description == "expected string, found integer 42")

        let nullable = try schema(#"{"type": ["string", "null"]}"#)
        #expect(errors(nullable, .null).isEmpty)
        #expect(errors(nullable, "x").isEmpty)
        #expect(errors(nullable, true).first?.message == "expected null or string, found boolean true")

        let integer = try schema(#"{"type": "integer"}"#)
        #expect(errors(integer, 3).isEmpty)
        #expect(errors(integer, .number(3.0)).isEmpty)  // 2020-12: a number with a zero fraction is an integer
        #expect(!errors(integer, 3.5).isEmpty)
        #expect(!errors(integer, true).isEmpty)  // booleans are not numbers

        let number = try schema(#"{"type": "number"}"#)
        #expect(errors(number, 3).isEmpty)
        #expect(errors(number, 3.5).isEmpty)
        #expect(!errors(number, "3").isEmpty)

        let object = try schema(#"{"type": "object"}"#)
        #expect(errors(object, [1, 2, 3]).first?.message == "expected object, found an array of 3 items")
    }

    @Test func required() throws {
        let s = try schema(#"{"type": "object", "required": ["topic", "id"], "properties": {"id": {"type": "string"}}}"#)
        #expect(errors(s, ["topic": "t", "id": "1"]).isEmpty)
        let e = errors(s, ["id": "1"])
        #expect(e.map(\.description) == [#"missing required property "topic""#])
        #expect(e.first?.instancePath == "")
        // A required name that `properties` does not declare, and one that it does.
        #expect(errors(s, ["topic": "t"]).map(\.message) == [#"missing required property "id""#])
        // Nested: the path is the object's.
        let nested = try schema(#"{"properties": {"data": {"required": ["run_id"]}}}"#)
        #expect(errors(nested, ["data": [:]]).map(\.description) == [#"/data: missing required property "run_id""#])
    }

    @Test func additionalPropertiesFalse() throws {
        let s = try schema(#"{"type": "object", "additionalProperties": false, "properties": {"a": {}}}"#)
        #expect(errors(s, ["a": 1]).isEmpty)
        let e = errors(s, ["a": 1, "b~/x": 2])
        #expect(e.count == 1)
        #expect(e.first?.instancePath == "/b~0~1x")  // JSON Pointer escaping
        #expect(e.first?.keyword == "additionalProperties")
        #expect(e.first?.message == #"property "b~/x" is not allowed (additionalProperties is false)"#)
    }

    @Test func additionalPropertiesSchemaAndPatternProperties() throws {
        let s = try schema(
            #"{"properties": {"id": {"type": "string"}}, "patternProperties": {"^x-": {"type": "integer"}}, "additionalProperties": {"type": "boolean"}}"#
        )
        #expect(errors(s, ["id": "a", "x-count": 3, "flag": true]).isEmpty)
        #expect(errors(s, ["x-count": "3"]).map(\.description) == ["/x-count: expected integer, found string \"3\""])
        #expect(errors(s, ["flag": 1]).map(\.description) == ["/flag: expected boolean, found integer 1"])
    }

    @Test func enumAndConst() throws {
        let e = try schema(#"{"enum": ["allow", "warn", "deny"]}"#)
        #expect(errors(e, "warn").isEmpty)
        #expect(errors(e, "maybe").map(\.description) == [#""maybe" is not one of "allow", "warn", "deny""#])
        let mixed = try schema(#"{"enum": [1, null, {"a": [true]}]}"#)
        #expect(errors(mixed, .number(1.0)).isEmpty)
        #expect(errors(mixed, .null).isEmpty)
        #expect(errors(mixed, ["a": [true]]).isEmpty)
        #expect(!errors(mixed, ["a": [false]]).isEmpty)

        let c = try schema(#"{"const": "watcher.envelope.v1"}"#)
        #expect(errors(c, "watcher.envelope.v1").isEmpty)
        #expect(errors(c, "cloudevents/1.0").map(\.description) == [#"expected "watcher.envelope.v1", found "cloudevents/1.0""#])
        let cnull = try schema(#"{"const": null}"#)
        #expect(errors(cnull, .null).isEmpty)
        #expect(!errors(cnull, 0).isEmpty)
    }

    @Test func pattern() throws {
        let s = try schema(#"{"type": "string", "pattern": "^[0-9a-f]{32}$"}"#)
        #expect(errors(s, "1818e811892f902bd23f0824128b2f33").isEmpty)
        let e = errors(s, "XYZ")
        #expect(e.first?.keyword == "pattern")
        #expect(e.first?.message == #""XYZ" does not match the pattern ^[0-9a-f]{32}$"#)
        // Type-specific keywords ignore other types.
        #expect(errors(try schema(#"{"pattern": "^a$"}"#), 5).isEmpty)
    }

    @Test func formatDateTime() throws {
        let s = try schema(#"{"type": "string", "format": "date-time"}"#)
        #expect(errors(s, "2026-02-15T09:01:01Z").isEmpty)
        #expect(errors(s, "2026-02-15T09:01:01.5+02:00").isEmpty)
        let zoneless = errors(s, "2026-02-15T09:01:01")
        #expect(zoneless.first?.keyword == "format")
        #expect(zoneless.first?.message == #""2026-02-15T09:01:01" has no time zone (RFC 3339 requires Z or ±hh:mm)"#)
        #expect(errors(s, "yesterday").first?.message.contains("not an RFC 3339 date-time") == true)
        #expect(!errors(s, "2026-02-30T09:01:01Z").isEmpty)
    }

    @Test func lengthsCountCodePoints() throws {
        let s = try schema(#"{"minLength": 2, "maxLength": 3}"#)
        #expect(errors(s, "ab").isEmpty)
        #expect(errors(s, "é😀").isEmpty)  // 2 code points, 6 bytes
        #expect(errors(s, "😀😀😀").isEmpty)  // 3 code points, 12 bytes
        #expect(errors(s, "😀").map(\.keyword) == ["minLength"])
        #expect(errors(s, "abcd").map(\.keyword) == ["maxLength"])
        #expect(errors(s, "").first?.message == #""" has 0 characters, fewer than minLength 2"#)
        let long = errors(s, .string(String(repeating: "x", count: 500)))
        #expect(long.first?.message == "string of 500 characters is longer than maxLength 3")
    }

    @Test func longValuesAreCutInMessages() throws {
        let s = try schema(#"{"enum": ["a"]}"#)
        let message = try #require(errors(s, .string(String(repeating: "A", count: 2_000_000))).first?.message)
        #expect(message.count < 200)
        #expect(message.contains("2000000 characters"))
    }

    @Test func numericBounds() throws {
        let s = try schema(#"{"minimum": 0, "maximum": 10}"#)
        #expect(errors(s, 0).isEmpty)
        #expect(errors(s, 10).isEmpty)
        #expect(errors(s, -1).map(\.description) == ["-1 is less than minimum 0"])
        #expect(errors(s, 10.5).map(\.description) == ["10.5 is greater than maximum 10"])
        let x = try schema(#"{"exclusiveMinimum": 0, "exclusiveMaximum": 1.5}"#)
        #expect(errors(x, 1).isEmpty)
        #expect(errors(x, 0).map(\.keyword) == ["exclusiveMinimum"])
        #expect(errors(x, 1.5).map(\.keyword) == ["exclusiveMaximum"])
        let m = try schema(#"{"multipleOf": 0.1}"#)
        #expect(errors(m, 0.3).isEmpty)
        #expect(!errors(m, 0.35).isEmpty)
        #expect(errors(try schema(#"{"multipleOf": 3}"#), 9).isEmpty)
        #expect(!errors(try schema(#"{"multipleOf": 3}"#), 10).isEmpty)
        // Exact at the edge of 64 bits.
        let big = try schema(#"{"maximum": 9223372036854775806}"#)
        #expect(errors(big, .integer(Int64.max - 1)).isEmpty)
        #expect(!errors(big, .integer(Int64.max)).isEmpty)
    }

    @Test func arrays() throws {
        let s = try schema(#"{"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 3, "uniqueItems": true}"#)
        #expect(errors(s, ["a", "b"]).isEmpty)
        #expect(errors(s, ["a", 2, "c"]).map(\.description) == ["/1: expected string, found integer 2"])
        #expect(errors(s, []).map(\.keyword) == ["minItems"])
        #expect(errors(s, ["a", "b", "c", "d"]).map(\.keyword) == ["maxItems"])
        #expect(errors(s, ["a", "b", "a"]).map(\.description) == ["items 0 and 2 are equal (uniqueItems)"])
        let nested = try schema(#"{"properties": {"reasons": {"items": {"required": ["source"]}}}}"#)
        #expect(errors(nested, ["reasons": [["source": "x"], [:]]]).map(\.description) == [#"/reasons/1: missing required property "source""#])
    }

    @Test func localRefsAndDefs() throws {
        let s = try schema(
            ##"""
            {"$defs": {"code": {"type": "string", "pattern": "^[A-Z]+$"},
                       "node": {"type": "object", "properties": {"name": {"$ref": "#/$defs/code"},
                                                                 "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}},
             "$ref": "#/$defs/node"}
            """##)
        #expect(errors(s, ["name": "ROOT", "children": [["name": "A", "children": []], ["name": "B"]]]).isEmpty)
        #expect(
            errors(s, ["name": "ROOT", "children": [["name": "A", "children": [["name": "bad"]]]]]).map(\.description) == [
                #"/children/0/children/0/name: "bad" does not match the pattern ^[A-Z]+$"#
            ])
        // A ref to the whole document, and pointer escaping in a ref.
        let list = try schema(##"{"type": ["array", "integer"], "items": {"$ref": "#"}}"##)
        #expect(errors(list, [1, [2, [3]]]).isEmpty)
        #expect(!errors(list, [1, ["x"]]).isEmpty)
        let escaped = try schema(##"{"$defs": {"a/b": {"const": 1}, "c%d": {"const": 2}}, "properties": {"x": {"$ref": "#/$defs/a~1b"}, "y": {"$ref": "#/$defs/c%25d"}}}"##)
        #expect(errors(escaped, ["x": 1, "y": 2]).isEmpty)
        #expect(!errors(escaped, ["x": 2]).isEmpty)
    }

    @Test func refsBetweenDocuments() throws {
        let library = try SchemaLibrary(documents: [
            json(#"{"$id": "xtrlv2/common.v1", "$defs": {"run_id": {"type": "string", "minLength": 1}}}"#),
            json(#"{"$id": "opctrl/thing.v1", "properties": {"run_id": {"$ref": "../xtrlv2/common.v1#/$defs/run_id"}, "other": {"$ref": "xtrlv2/common.v1#/$defs/run_id"}}}"#),
        ])
        #expect(library.ids == ["opctrl/thing.v1", "xtrlv2/common.v1"])
        let thing = try #require(library["opctrl/thing.v1"])
        #expect(errors(thing, ["run_id": "r1", "other": "r2"]).isEmpty)
        #expect(errors(thing, ["run_id": ""]).map(\.keyword) == ["minLength"])
        #expect(errors(thing, ["other": 3]).map(\.keyword) == ["type"])
    }

    @Test func oneOfAnyOfAllOfNot() throws {
        let one = try schema(#"{"oneOf": [{"type": "integer"}, {"minimum": 0}]}"#)
        #expect(errors(one, -1).isEmpty)  // only the first
        #expect(errors(one, 0.5).isEmpty)  // only the second
        #expect(errors(one, 3).map(\.description) == ["matches 2 oneOf alternatives (#0, #1); exactly one must match"])
        #expect(errors(one, -0.5).first?.message.hasPrefix("matches none of the 2 oneOf alternatives; closest") == true)

        let any = try schema(#"{"anyOf": [{"type": "string"}, {"type": "null"}]}"#)
        #expect(errors(any, .null).isEmpty)
        #expect(errors(any, 1).first?.keyword == "anyOf")

        let all = try schema(#"{"allOf": [{"minimum": 0}, {"maximum": 5}]}"#)
        #expect(errors(all, 3).isEmpty)
        #expect(errors(all, 7).map(\.keyword) == ["maximum"])

        let not = try schema(#"{"not": {"type": "null"}}"#)
        #expect(errors(not, 1).isEmpty)
        #expect(errors(not, .null).map(\.keyword) == ["not"])
    }

    @Test func ifThenElse() throws {
        let s = try schema(
            #"{"if": {"properties": {"state": {"const": "resolved"}}, "required": ["state"]}, "then": {"required": ["resolved_at"]}, "else": {"not": {"required": ["resolved_at"]}}}"#
        )
        #expect(errors(s, ["state": "resolved", "resolved_at": "x"]).isEmpty)
        #expect(errors(s, ["state": "resolved"]).map(\.message) == [#"missing required property "resolved_at""#])
        #expect(errors(s, ["state": "firing"]).isEmpty)
        #expect(errors(s, ["state": "firing", "resolved_at": "x"]).map(\.keyword) == ["not"])
    }

    @Test func booleanSchemasAndAnnotations() throws {
        #expect(errors(try schema("true"), ["anything": 1]).isEmpty)
        #expect(errors(try schema("false"), 1).map(\.keyword) == ["false"])
        let annotated = try schema(
            #"{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "x/y.v1", "$comment": "c", "title": "t", "description": "d", "default": 1, "examples": [1], "deprecated": false, "readOnly": true, "writeOnly": false}"#
        )
        #expect(annotated.id == "x/y.v1")
        #expect(errors(annotated, 1).isEmpty)
    }

    // MARK: Load errors

    func loadError(_ text: String) -> SchemaLoadError? {
        do {
            _ = try JSONSchema(json(text))
            return nil
        } catch {
            return error
        }
    }

    @Test func unsupportedKeywordIsALoadError() throws {
        let e = try #require(loadError(#"{"$id": "t/x.v1", "properties": {"list": {"type": "array", "contains": {"const": 1}}}}"#))
        #expect(e.location == "t/x.v1#/properties/list/contains")
        #expect(e.message.contains("unsupported keyword \"contains\""))
        // A property *named* like a keyword is not a keyword.
        #expect(loadError(#"{"properties": {"contains": {}, "format": {}}}"#) == nil)
    }

    @Test(arguments: [
        (#"{"format": "email"}"#, "unsupported format"),
        (#"{"$schema": "http://json-schema.org/draft-07/schema#"}"#, "2020-12"),
        (#"{"items": [{"type": "string"}]}"#, "prefixItems"),
        (#"{"type": "text"}"#, "unknown type"),
        (#"{"type": ["string", "string"]}"#, "listed twice"),
        (#"{"required": "id"}"#, "array of strings"),
        (#"{"minLength": -1}"#, "non-negative integer"),
        (#"{"minLength": 3, "maxLength": 2}"#, "greater than maxLength"),
        (#"{"multipleOf": 0}"#, "greater than 0"),
        (#"{"enum": []}"#, "non-empty"),
        (#"{"oneOf": []}"#, "non-empty array of schemas"),
        (#"{"pattern": "(unclosed"}"#, "invalid regular expression"),
        (##"{"$ref": "#/$defs/missing"}"##, "points to nothing"),
        (#"{"$ref": "other/doc.v1"}"#, "no loaded schema"),
        (##"{"$ref": "#anchor"}"##, "anchor"),
        (#"{"properties": {"a": {"$id": "inner"}}}"#, "embedded $id"),
        (##"{"$defs": {"loop": {"$ref": "#/$defs/loop"}}}"##, "$ref cycle"),
        (##"{"$defs": {"a": {"allOf": [{"$ref": "#/$defs/b"}]}, "b": {"anyOf": [{"$ref": "#/$defs/a"}]}}}"##, "$ref cycle"),
        (#"{"$defs": {"bad": {"minimum": "zero"}}}"#, "must be a number"),
        (#"{"properties": {"a": 3}}"#, "must be an object or a boolean"),
    ])
    func malformedSchemasFailToLoad(_ text: String, _ reason: String) throws {
        let e = try #require(loadError(text), "\(text) loaded")
        #expect(e.message.contains(reason), "\(text): \(e)")
    }

    @Test func recursionThroughMembersIsNotACycle() throws {
        #expect(loadError(##"{"$defs": {"tree": {"properties": {"kids": {"items": {"$ref": "#/$defs/tree"}}}}}, "$ref": "#/$defs/tree"}"##) == nil)
    }

    @Test func duplicateDocumentIDsAreRefused() {
        #expect(throws: SchemaLoadError.self) {
            try SchemaLibrary(documents: [json(#"{"$id": "a/b.v1"}"#), json(#"{"$id": "a/b.v1"}"#)])
        }
    }

    @Test func uriResolution() {
        #expect(SchemaCompiler.resolveURI("../xtrlv2/x.v1", against: "opctrl/a.v1") == "xtrlv2/x.v1")
        #expect(SchemaCompiler.resolveURI("b.v1", against: "opctrl/a.v1") == "opctrl/b.v1")
        #expect(SchemaCompiler.resolveURI("./sub/../b.v1", against: "opctrl/a.v1") == "opctrl/b.v1")
        #expect(SchemaCompiler.resolveURI("/abs/c.v1", against: "opctrl/a.v1") == "/abs/c.v1")
        #expect(SchemaCompiler.resolveURI("b.json", against: "https://example.com/s/a.json") == "https://example.com/s/b.json")
        #expect(SchemaCompiler.resolveURI("urn:x:y", against: "opctrl/a.v1") == "urn:x:y")
    }
}
