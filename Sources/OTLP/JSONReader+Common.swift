// OTLP/JSON walk for common.proto and resource.proto. Members are matched by
// their lowerCamelCase JSON name and, as proto3 JSON parsers do, by the proto
// field name; unknown members are skipped.

extension JSONReader {
    mutating func anyValue() throws(Failure) -> OTLPAnyValue {
        var value = OTLPAnyValue()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "stringValue", "string_value": value.stringValue = try reader.readString()
            case "boolValue", "bool_value": value.boolValue = try reader.readBool()
            case "intValue", "int_value": value.intValue = try reader.readInt64()
            case "doubleValue", "double_value": value.doubleValue = try reader.readDouble()
            case "arrayValue", "array_value": value.arrayValue = try reader.arrayValue()
            case "kvlistValue", "kvlist_value": value.kvlistValue = try reader.keyValueList()
            case "bytesValue", "bytes_value": value.bytesValue = try reader.readBase64()
            default: try reader.skipValue()
            }
        }
        return value
    }

    mutating func arrayValue() throws(Failure) -> OTLPArrayValue {
        var array = OTLPArrayValue()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "values": array.values = try reader.readList { reader throws(Failure) in try reader.anyValue() }
            default: try reader.skipValue()
            }
        }
        return array
    }

    mutating func keyValueList() throws(Failure) -> OTLPKeyValueList {
        var list = OTLPKeyValueList()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "values": list.values = try reader.keyValues()
            default: try reader.skipValue()
            }
        }
        return list
    }

    mutating func keyValues() throws(Failure) -> [OTLPKeyValue] {
        try readList { reader throws(Failure) in try reader.keyValue() }
    }

    mutating func keyValue() throws(Failure) -> OTLPKeyValue {
        var keyValue = OTLPKeyValue()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "key": keyValue.key = try reader.readString()
            case "value": keyValue.value = try reader.anyValue()
            default: try reader.skipValue()
            }
        }
        return keyValue
    }

    mutating func scope() throws(Failure) -> OTLPScope {
        var scope = OTLPScope()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "name": scope.name = try reader.readString()
            case "version": scope.version = try reader.readString()
            case "attributes": scope.attributes = try reader.keyValues()
            case "droppedAttributesCount", "dropped_attributes_count": scope.droppedAttributesCount = try reader.readUInt32()
            default: try reader.skipValue()
            }
        }
        return scope
    }

    mutating func resource() throws(Failure) -> OTLPResource {
        var resource = OTLPResource()
        try readObject { reader, key throws(Failure) in
            switch key {
            case "attributes": resource.attributes = try reader.keyValues()
            case "droppedAttributesCount", "dropped_attributes_count": resource.droppedAttributesCount = try reader.readUInt32()
            default: try reader.skipValue()
            }
        }
        return resource
    }
}
