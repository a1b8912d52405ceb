import Foundation
import OTLP
import Redaction
import SwiftProtobuf

extension OTLPMaterializer {
    /// Rows from a serialized `ExportTraceServiceRequest`, the hot path of OTLP ingest.
    ///
    /// Spans are read straight from the wire into rows: no generated message, no string per
    /// attribute, the attributes' JSON written from the wire bytes. A span the fast path does not
    /// take as it is goes the generic way (`OTLPSpan` then `spanRow`), so both give the same row:
    /// one redaction would change, one with events or links, invalid ids or times, a repeated
    /// singular field, a map or nested array value. A request the wire path cannot read is
    /// decoded the generic way as a whole, so its error is the generated decoder's.
    public static func rows(serializedTraceRequest body: [UInt8], redactor: Redactor? = nil) throws -> TelemetryBatch {
        do {
            var generic = 0
            return try body.withUnsafeBytes { try WireSpans(redactor: redactor).rows(request: $0, generic: &generic) }
        } catch {
            return rows(from: try OTLPTraceRequest(serializedBytes: body), redactor: redactor)
        }
    }
}

/// The wire path of `OTLPMaterializer.rows(serializedTraceRequest:redactor:)`.
struct WireSpans {
    let redactor: Redactor?
    let redaction: AttributeRedaction?

    init(redactor: Redactor?) {
        self.redactor = redactor
        redaction = redactor.map(AttributeRedaction.init)
    }

    /// `generic` counts the spans that went the generic way.
    func rows(request: UnsafeRawBufferPointer, generic: inout Int) throws -> TelemetryBatch {
        var batch = TelemetryBatch()
        // A logfire span takes about 500 bytes on the wire.
        batch.spans.reserveCapacity(request.count / 400)
        var reader = ProtobufReader(request)
        while let field = try reader.nextField() {
            switch (field.number, field.wireType) {
            case (1, .lengthDelimited): try resourceSpans(try reader.lengthDelimited(), into: &batch, generic: &generic)
            case (1, _): throw ProtobufReader.Malformed()
            default: try reader.skip(field.wireType)
            }
        }
        return batch
    }

    private func resourceSpans(_ bytes: UnsafeRawBufferPointer, into batch: inout TelemetryBatch, generic: inout Int) throws {
        let (resourceBytes, scopes) = try Self.container(bytes)
        let resource = try resourceBytes.map { try OTLPResource(serializedBytes: Data($0), options: Self.depth(below: 2)) }
            ?? OTLPResource()
        let resourceCorrelation = Correlation(resource.attributes)
        for scope in scopes {
            try scopeSpans(scope, resource, resourceCorrelation, into: &batch, generic: &generic)
        }
    }

    private func scopeSpans(_ bytes: UnsafeRawBufferPointer, _ resource: OTLPResource, _ resourceCorrelation: Correlation,
                            into batch: inout TelemetryBatch, generic: inout Int) throws {
        let (scopeBytes, spans) = try Self.container(bytes)
        let scope = try scopeBytes.map { try OTLPScope(serializedBytes: Data($0), options: Self.depth(below: 3)) } ?? OTLPScope()
        let info = ResourceInfo(resource, scope, redaction)
        for span in spans {
            if let row = try spanRow(span, info, resourceCorrelation) {
                batch.spans.append(row)
                continue
            }
            generic += 1
            let decoded = try OTLPSpan(serializedBytes: Data(span), options: Self.depth(below: 3))
            if let row = OTLPMaterializer.spanRow(decoded, info, resourceCorrelation, redaction, &batch) {
                batch.spans.append(row)
            }
        }
    }

    /// The parts of a ResourceSpans or ScopeSpans, which share one layout: field 1 the resource
    /// or scope, field 2 the repeated children, field 3 `schema_url`.
    private static func container(_ bytes: UnsafeRawBufferPointer) throws -> (UnsafeRawBufferPointer?, [UnsafeRawBufferPointer]) {
        var head: UnsafeRawBufferPointer?
        var children: [UnsafeRawBufferPointer] = []
        var reader = ProtobufReader(bytes)
        while let field = try reader.nextField() {
            switch (field.number, field.wireType) {
            case (1, .lengthDelimited):
                // A repeated singular message merges; leave that to the generated decoder.
                guard head == nil else { throw ProtobufReader.Malformed() }
                head = try reader.lengthDelimited()
            case (2, .lengthDelimited): children.append(try reader.lengthDelimited())
            case (3, .lengthDelimited):
                // `schema_url` is not stored, but the generated decoder refuses it when not UTF-8.
                guard isValidUTF8(try reader.lengthDelimited()) else { throw ProtobufReader.Malformed() }
            case (1, _), (2, _): throw ProtobufReader.Malformed()
            default: try reader.skip(field.wireType)
            }
        }
        return (head, children)
    }

    /// Options for decoding on its own a message found `levels` below the request, so that it
    /// meets the nesting limit it would meet inside the request.
    private static func depth(below levels: Int) -> BinaryDecodingOptions {
        var options = BinaryDecodingOptions()
        options.messageDepthLimit -= levels
        return options
    }

    // MARK: One span

    /// Whether redaction would change a free text without a key (a name, a status message).
    private func redactionChanges(_ text: UnsafeRawBufferPointer) -> Bool {
        guard let redactor, redactor.mayRedact(value: text) else { return false }
        var scratch: [Redaction] = []
        return redactor.redactValue(String(decoding: text, as: UTF8.self), path: "", into: &scratch) != nil
    }

    /// The row of a span, or nil when the span is to go the generic way.
    private func spanRow(_ bytes: UnsafeRawBufferPointer, _ info: ResourceInfo, _ resourceCorrelation: Correlation) throws -> SpanRow? {
        var traceID: UnsafeRawBufferPointer?, spanID: UnsafeRawBufferPointer?, parentSpanID: UnsafeRawBufferPointer?
        var traceState: UnsafeRawBufferPointer?, name: UnsafeRawBufferPointer?, statusBytes: UnsafeRawBufferPointer?
        var kind: UInt64 = 0, start: UInt64 = 0, end: UInt64 = 0, flags: UInt32 = 0
        var droppedAttributes: UInt64 = 0, droppedEvents: UInt64 = 0, droppedLinks: UInt64 = 0
        var attributes: [UnsafeRawBufferPointer] = []
        var seen: UInt32 = 0
        var reader = ProtobufReader(bytes)
        while let field = try reader.nextField() {
            let bit: UInt32 = field.number < 32 ? 1 << UInt32(field.number) : 0
            // Repeated singular fields (last one wins, messages merge) are the generic path's.
            if field.number != 9, seen & bit != 0 { return nil }
            seen |= bit
            switch (field.number, field.wireType) {
            case (1, .lengthDelimited): traceID = try reader.lengthDelimited()
            case (2, .lengthDelimited): spanID = try reader.lengthDelimited()
            case (3, .lengthDelimited): traceState = try reader.lengthDelimited()
            case (4, .lengthDelimited): parentSpanID = try reader.lengthDelimited()
            case (5, .lengthDelimited): name = try reader.lengthDelimited()
            case (6, .varint): kind = try reader.varint()
            case (7, .fixed64): start = try reader.fixed64()
            case (8, .fixed64): end = try reader.fixed64()
            case (9, .lengthDelimited): attributes.append(try reader.lengthDelimited())
            case (10, .varint): droppedAttributes = try reader.varint()
            case (12, .varint): droppedEvents = try reader.varint()
            case (14, .varint): droppedLinks = try reader.varint()
            case (15, .lengthDelimited): statusBytes = try reader.lengthDelimited()
            case (16, .fixed32): flags = try reader.fixed32()
            case (11, _), (13, _): return nil  // events and links
            case (1...16, _): return nil  // a known field with another wire type
            default: try reader.skip(field.wireType)
            }
        }
        guard let traceID, traceID.count == 16, traceID.contains(where: { $0 != 0 }),
              let spanID, spanID.count == 8, spanID.contains(where: { $0 != 0 }),
              [0, 8].contains(parentSpanID?.count ?? 0),
              let startNano = Int64(exactly: start), let endNano = Int64(exactly: end) else { return nil }
        let nameText = name ?? UnsafeRawBufferPointer(start: nil, count: 0)
        guard isValidUTF8(nameText), traceState.map(isValidUTF8) ?? true else { return nil }
        if redactionChanges(nameText) { return nil }

        var statusCode: UInt64 = 0
        var statusMessage: UnsafeRawBufferPointer?
        if let statusBytes {
            var status = ProtobufReader(statusBytes)
            var statusSeen: UInt8 = 0
            while let field = try status.nextField() {
                switch (field.number, field.wireType) {
                case (2, .lengthDelimited) where statusSeen & 2 == 0:
                    statusSeen |= 2
                    statusMessage = try status.lengthDelimited()
                case (3, .varint) where statusSeen & 4 == 0:
                    statusSeen |= 4
                    statusCode = try status.varint()
                case (2, _), (3, _): return nil
                default: try status.skip(field.wireType)
                }
            }
            if let message = statusMessage, !message.isEmpty {
                guard isValidUTF8(message), !redactionChanges(message) else { return nil }
            }
        }

        var scan = AttributeScan(redactor: redactor)
        guard try scan.read(attributes) else { return nil }

        let statusName: String
        switch Int32(truncatingIfNeeded: statusCode) {
        case 1: statusName = "ok"
        case 2: statusName = "error"
        default: statusName = "unset"
        }
        let spanName = String(decoding: nameText, as: UTF8.self)
        var correlation = scan.correlation
        correlation.resolveAliases()
        return SpanRow(
            traceID: OTLPHex.string(traceID),
            spanID: OTLPHex.string(spanID),
            parentSpanID: parentSpanID.flatMap { $0.isEmpty ? nil : OTLPHex.string($0) },
            traceState: traceState.flatMap { $0.isEmpty ? nil : String(decoding: $0, as: UTF8.self) },
            name: spanName,
            spanKind: OTLPMaterializer.spanKindName(OTLPSpanKind(rawValue: Int(Int32(truncatingIfNeeded: kind))) ?? .unspecified),
            startNano: startNano,
            endNano: endNano,
            statusCode: statusName,
            statusMessage: statusMessage.flatMap { $0.isEmpty ? nil : String(decoding: $0, as: UTF8.self) },
            spanType: scan.logfire.spanType ?? "span",
            message: scan.logfire.message ?? spanName,
            level: scan.logfire.level ?? (statusName == "error" ? 17 : 9),
            tags: scan.logfire.tags,
            isException: false,
            exceptionType: nil,
            exceptionMessage: nil,
            exceptionStacktrace: nil,
            resource: info,
            attributes: scan.json.string,
            events: nil,
            links: nil,
            correlation: CorrelationColumns(correlation.fallingBack(to: resourceCorrelation)),
            flags: Int64(flags),
            droppedAttributes: Int64(UInt32(truncatingIfNeeded: droppedAttributes)),
            droppedEvents: Int64(UInt32(truncatingIfNeeded: droppedEvents)),
            droppedLinks: Int64(UInt32(truncatingIfNeeded: droppedLinks)))
    }
}

/// One pass over a span's attributes on the wire: writes their JSON, collects the role columns
/// and screens every key and value for redaction. `read` answers false when the generic path
/// must take the span instead.
private struct AttributeScan {
    let redactor: Redactor?
    var json = JSONWriter(capacity: 1024)
    var logfire = LogfireAttributes()
    var correlation = Correlation()
    private var message: UnsafeRawBufferPointer?
    private var template: UnsafeRawBufferPointer?

    init(redactor: Redactor?) { self.redactor = redactor }

    /// A scalar attribute value, borrowed from the wire.
    private enum Value {
        case string(UnsafeRawBufferPointer), bool(Bool), int(Int64), double(Double), bytes(UnsafeRawBufferPointer)
        case array([Value]), empty

        var role: RoleValue {
            switch self {
            case .string(let s): .string(String(decoding: s, as: UTF8.self))
            case .bool(let b): .bool(b)
            case .int(let i): .int(i)
            case .double(let d): .double(d)
            case .array(let values): .strings(values.compactMap { $0.role.text })
            case .bytes, .empty: .other
            }
        }
    }

    mutating func read(_ attributes: [UnsafeRawBufferPointer]) throws -> Bool {
        json.byte(UInt8(ascii: "{"))
        for (i, attribute) in attributes.enumerated() {
            guard let (key, value) = try keyValue(attribute), isValidUTF8(key) else { return false }
            if let redactor, redactor.mayRedact(key: key) { return false }
            let role = AttributeRole(key: key)
            if role == .logfireMessage {
                guard message == nil, case .string(let text) = value else { return false }
                message = text
            } else {
                if role == .logfireTemplate, case .string(let text) = value {
                    guard template == nil else { return false }
                    template = text
                }
                guard screen(value, key: key) else { return false }
            }
            if let role {
                let roleValue = value.role
                logfire.absorb(role, roleValue)
                correlation.absorb(role, roleValue)
            }
            if i > 0 { json.byte(UInt8(ascii: ",")) }
            json.string(utf8: key)
            json.byte(UInt8(ascii: ":"))
            write(value)
        }
        json.byte(UInt8(ascii: "}"))
        return screenMessage()
    }

    /// False when redaction could change `value` (under `key`; nil for array elements).
    private func screen(_ value: Value, key: UnsafeRawBufferPointer?) -> Bool {
        switch value {
        case .string(let text):
            guard let redactor, redactor.mayRedact(value: text) else { return true }
            var scratch: [Redaction] = []
            var fields: [SensitiveField] = []
            let string = String(decoding: text, as: UTF8.self)
            let changed = if let key {
                redactor.redactAttribute(key: String(decoding: key, as: UTF8.self), value: string, path: "",
                                         into: &scratch, sensitiveFields: &fields)
            } else {
                redactor.redactValue(string, path: "", into: &scratch)
            }
            return changed == nil && scratch.isEmpty && fields.isEmpty
        case .array(let values):
            return values.allSatisfy { screen($0, key: nil) }
        case .bool, .int, .double, .bytes, .empty:
            return true
        }
    }

    /// `logfire.msg` is redacted with its template, after the other attributes (see
    /// `AttributeRedaction`); none of them was sensitive here, or the span would have left.
    private func screenMessage() -> Bool {
        guard let redactor, let message else { return true }
        let templateMatters = template.map { redactor.mayRedact(template: $0) } ?? false
        guard templateMatters || redactor.mayRedact(value: message) else { return true }
        var scratch: [Redaction] = []
        let changed = redactor.redactMessage(String(decoding: message, as: UTF8.self),
                                             template: template.map { String(decoding: $0, as: UTF8.self) },
                                             sensitiveFields: [], path: "", into: &scratch)
        return changed == nil && scratch.isEmpty
    }

    private mutating func write(_ value: Value) {
        switch value {
        case .string(let s): json.string(utf8: s)
        case .bool(let b): json.bool(b)
        case .int(let i): json.int(i)
        case .double(let d): json.double(d)
        case .bytes(let b): json.string(Data(b).base64EncodedString())
        case .array(let values):
            json.byte(UInt8(ascii: "["))
            for (i, element) in values.enumerated() {
                if i > 0 { json.byte(UInt8(ascii: ",")) }
                write(element)
            }
            json.byte(UInt8(ascii: "]"))
        case .empty: json.null()
        }
    }

    /// A KeyValue's key and value; nil for what only the generic path takes.
    private func keyValue(_ bytes: UnsafeRawBufferPointer) throws -> (UnsafeRawBufferPointer, Value)? {
        var key: UnsafeRawBufferPointer?
        var value: Value?
        var reader = ProtobufReader(bytes)
        while let field = try reader.nextField() {
            switch (field.number, field.wireType) {
            case (1, .lengthDelimited) where key == nil: key = try reader.lengthDelimited()
            case (2, .lengthDelimited) where value == nil:
                guard let v = try anyValue(try reader.lengthDelimited(), nested: false) else { return nil }
                value = v
            case (1, _), (2, _): return nil
            default: try reader.skip(field.wireType)
            }
        }
        return (key ?? UnsafeRawBufferPointer(start: nil, count: 0), value ?? .empty)
    }

    /// An AnyValue with one field set: scalars, and (not `nested`) arrays of scalars.
    private func anyValue(_ bytes: UnsafeRawBufferPointer, nested: Bool) throws -> Value? {
        var value: Value?
        var reader = ProtobufReader(bytes)
        while let field = try reader.nextField() {
            if value != nil, (1...7).contains(field.number) { return nil }
            switch (field.number, field.wireType) {
            case (1, .lengthDelimited):
                let s = try reader.lengthDelimited()
                guard isValidUTF8(s) else { return nil }
                value = .string(s)
            case (2, .varint): value = .bool(try reader.varint() != 0)
            case (3, .varint): value = .int(Int64(bitPattern: try reader.varint()))
            case (4, .fixed64): value = .double(Double(bitPattern: try reader.fixed64()))
            case (7, .lengthDelimited): value = .bytes(try reader.lengthDelimited())
            case (5, .lengthDelimited) where !nested:
                var elements: [Value] = []
                var array = ProtobufReader(try reader.lengthDelimited())
                while let element = try array.nextField() {
                    switch (element.number, element.wireType) {
                    case (1, .lengthDelimited):
                        guard let v = try anyValue(try array.lengthDelimited(), nested: true) else { return nil }
                        elements.append(v)
                    case (1, _): return nil
                    default: try array.skip(element.wireType)
                    }
                }
                value = .array(elements)
            case (1...7, _): return nil
            default: try reader.skip(field.wireType)
            }
        }
        return value ?? .empty
    }
}

/// Whether `bytes` is well-formed UTF-8 (protobuf strings must be; the generated decoder
/// refuses the request otherwise, so such a span goes its way).
func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
    var i = 0
    let n = bytes.count
    while i < n {
        let b = bytes[i]
        if b < 0x80 {
            i += 1
            continue
        }
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch b {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return false
        }
        guard i + length <= n, bytes[i + 1] >= low, bytes[i + 1] <= high else { return false }
        for j in 2..<length where bytes[i + j] & 0xC0 != 0x80 { return false }
        i += length
    }
    return true
}
