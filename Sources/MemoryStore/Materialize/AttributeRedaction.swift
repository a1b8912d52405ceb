import OTLP
import Redaction

/// Applies the redactor to OTLP attributes before anything is built from them, so no secret
/// reaches a row, the WAL or the file. Returns nil when nothing changed (the common case,
/// which then costs no copy).
struct AttributeRedaction {
    let redactor: Redactor

    /// Redacts `attributes`; Logfire's formatted `logfire.msg` is redacted last, with its
    /// `logfire.msg_template` and the fields found sensitive, because the Python SDK formats
    /// secrets into it even when it scrubs the attribute.
    func attributes(_ attributes: [OTLPKeyValue], path: String, into redactions: inout [Redaction]) -> [OTLPKeyValue]? {
        var fields: [SensitiveField] = []
        var result: [OTLPKeyValue]?
        var messageIndex: Int?
        var template: String?
        for (i, kv) in attributes.enumerated() {
            if kv.key == "logfire.msg" { messageIndex = i; continue }
            if kv.key == "logfire.msg_template", case .stringValue(let t) = kv.value.value { template = t }
            if let redacted = value(kv.value, key: kv.key, path: path + "." + kv.key, into: &redactions, fields: &fields) {
                if result == nil { result = attributes }
                result![i].value = redacted
            }
        }
        if let i = messageIndex, case .stringValue(let message) = attributes[i].value.value,
           let redacted = redactor.redactMessage(message, template: template, sensitiveFields: fields,
                                                 path: path + ".logfire.msg", into: &redactions) {
            if result == nil { result = attributes }
            result![i].value = .string(redacted)
        }
        return result
    }

    /// A value under `key` (nil for array elements and bodies).
    func value(_ any: OTLPAnyValue, key: String?, path: String, into redactions: inout [Redaction],
               fields: inout [SensitiveField]) -> OTLPAnyValue? {
        if let key, carriesData(any), let rule = redactor.isSensitiveKey(key) {
            // Non-text values under a sensitive key (a card number sent as an int) go whole;
            // booleans and nulls (`has_password: true`) say nothing secret.
            redactions.append(Redaction(path: path, rule: rule, kind: .key))
            fields.append(SensitiveField(name: key, rule: rule))
            return .string(Redactor.placeholder(for: rule))
        }
        switch any.value {
        case .stringValue(let s):
            let redacted = key.map {
                redactor.redactAttribute(key: $0, value: s, path: path, into: &redactions, sensitiveFields: &fields)
            } ?? redactor.redactValue(s, path: path, into: &redactions)
            return redacted.map { .string($0) }
        case .kvlistValue(var list):
            var changed = false
            for i in list.values.indices {
                let member = list.values[i]
                if let redacted = value(member.value, key: member.key, path: path + "." + member.key,
                                        into: &redactions, fields: &fields) {
                    list.values[i].value = redacted
                    changed = true
                }
            }
            return changed ? .kvlist(list) : nil
        case .arrayValue(var array):
            var changed = false
            for i in array.values.indices {
                if let redacted = value(array.values[i], key: nil, path: path + "[\(i)]", into: &redactions, fields: &fields) {
                    array.values[i] = redacted
                    changed = true
                }
            }
            return changed ? .array(array) : nil
        default:
            return nil
        }
    }

    /// A free-text value with no key (span names, status messages, log bodies).
    func text(_ s: String, path: String, into redactions: inout [Redaction]) -> String? {
        redactor.redactValue(s, path: path, into: &redactions)
    }

    /// Numbers, bytes, arrays and maps; strings go through `redactAttribute` instead.
    private func carriesData(_ any: OTLPAnyValue) -> Bool {
        switch any.value {
        case .intValue, .doubleValue, .bytesValue, .arrayValue, .kvlistValue: true
        default: false
        }
    }
}

extension OTLPAnyValue {
    static func string(_ s: String) -> Self { var v = Self(); v.stringValue = s; return v }
    static func kvlist(_ l: OTLPKeyValueList) -> Self { var v = Self(); v.kvlistValue = l; return v }
    static func array(_ a: OTLPArrayValue) -> Self { var v = Self(); v.arrayValue = a; return v }
}
