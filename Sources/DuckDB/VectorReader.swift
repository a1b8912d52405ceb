import CDuckDB

/// Reads one row of a DuckDB vector as a `Value`, recursing into LIST, ARRAY, STRUCT and MAP.
enum VectorReader {
    static func value(_ vector: duckdb_vector?, row: Int) -> Value {
        guard let vector else { return .null }
        if let validity = duckdb_vector_get_validity(vector), !duckdb_validity_row_is_valid(validity, idx_t(row)) {
            return .null
        }
        var logical: duckdb_logical_type? = duckdb_vector_get_column_type(vector)
        defer { duckdb_destroy_logical_type(&logical) }
        let type = duckdb_get_type_id(logical)
        switch type {
        case DUCKDB_TYPE_LIST, DUCKDB_TYPE_MAP:
            let entry = duckdb_vector_get_data(vector)!.load(fromByteOffset: row * MemoryLayout<duckdb_list_entry>.stride,
                                                            as: duckdb_list_entry.self)
            let child = duckdb_list_vector_get_child(vector)
            let elements = (0..<Int(entry.length)).map { value(child, row: Int(entry.offset) + $0) }
            return .list(elements)
        case DUCKDB_TYPE_ARRAY:
            let size = Int(duckdb_array_type_array_size(logical))
            let child = duckdb_array_vector_get_child(vector)
            return .list((0..<size).map { value(child, row: row * size + $0) })
        case DUCKDB_TYPE_STRUCT:
            let count = Int(duckdb_struct_type_child_count(logical))
            return .structure((0..<count).map { i in
                let name = duckdb_struct_type_child_name(logical, idx_t(i))
                defer { duckdb_free(name) }
                return .init(name: name.map { String(cString: $0) } ?? "", value: value(duckdb_struct_vector_get_child(vector, idx_t(i)), row: row))
            })
        default:
            guard let data = duckdb_vector_get_data(vector) else { return .null }
            return scalar(data, type, logical!, row: row)
        }
    }

    private static func scalar(_ data: UnsafeMutableRawPointer, _ type: duckdb_type, _ logical: duckdb_logical_type,
                               row: Int) -> Value {
        switch type {
        case DUCKDB_TYPE_BOOLEAN: return .bool(data.load(fromByteOffset: row, as: Bool.self))
        case DUCKDB_TYPE_TINYINT: return .int(Int64(data.load(fromByteOffset: row, as: Int8.self)))
        case DUCKDB_TYPE_SMALLINT: return .int(Int64(data.load(fromByteOffset: row * 2, as: Int16.self)))
        case DUCKDB_TYPE_INTEGER: return .int(Int64(data.load(fromByteOffset: row * 4, as: Int32.self)))
        case DUCKDB_TYPE_BIGINT: return .int(data.load(fromByteOffset: row * 8, as: Int64.self))
        case DUCKDB_TYPE_UTINYINT: return .uint(UInt64(data.load(fromByteOffset: row, as: UInt8.self)))
        case DUCKDB_TYPE_USMALLINT: return .uint(UInt64(data.load(fromByteOffset: row * 2, as: UInt16.self)))
        case DUCKDB_TYPE_UINTEGER: return .uint(UInt64(data.load(fromByteOffset: row * 4, as: UInt32.self)))
        case DUCKDB_TYPE_UBIGINT: return .uint(data.load(fromByteOffset: row * 8, as: UInt64.self))
        case DUCKDB_TYPE_FLOAT: return .double(Double(data.load(fromByteOffset: row * 4, as: Float.self)))
        case DUCKDB_TYPE_DOUBLE: return .double(data.load(fromByteOffset: row * 8, as: Double.self))
        case DUCKDB_TYPE_TIMESTAMP, DUCKDB_TYPE_TIMESTAMP_TZ:
            return .timestamp(data.load(fromByteOffset: row * 8, as: Int64.self))
        case DUCKDB_TYPE_TIMESTAMP_MS: return .timestamp(data.load(fromByteOffset: row * 8, as: Int64.self) * 1000)
        case DUCKDB_TYPE_TIMESTAMP_S: return .timestamp(data.load(fromByteOffset: row * 8, as: Int64.self) * 1_000_000)
        case DUCKDB_TYPE_TIMESTAMP_NS: return .timestamp(data.load(fromByteOffset: row * 8, as: Int64.self) / 1000)
        case DUCKDB_TYPE_DATE: return .date(data.load(fromByteOffset: row * 4, as: Int32.self))
        case DUCKDB_TYPE_VARCHAR, DUCKDB_TYPE_BLOB, DUCKDB_TYPE_BIT:
            var string = data.load(fromByteOffset: row * MemoryLayout<duckdb_string_t>.stride, as: duckdb_string_t.self)
            let length = Int(duckdb_string_t_length(string))
            let bytes = UnsafeRawBufferPointer(start: duckdb_string_t_data(&string), count: length)
            return type == DUCKDB_TYPE_VARCHAR ? .text(String(decoding: bytes, as: UTF8.self)) : .blob(Array(bytes))
        case DUCKDB_TYPE_HUGEINT:
            let v = data.load(fromByteOffset: row * 16, as: duckdb_hugeint.self)
            return integer(upper: v.upper, lower: v.lower)
        case DUCKDB_TYPE_UHUGEINT:
            let v = data.load(fromByteOffset: row * 16, as: duckdb_uhugeint.self)
            return v.upper == 0 ? .uint(v.lower) : .double(Double(v.upper) * 0x1p64 + Double(v.lower))
        case DUCKDB_TYPE_DECIMAL:
            let scale = Int(duckdb_decimal_scale(logical))
            let unscaled: Double
            switch duckdb_decimal_internal_type(logical) {
            case DUCKDB_TYPE_SMALLINT: unscaled = Double(data.load(fromByteOffset: row * 2, as: Int16.self))
            case DUCKDB_TYPE_INTEGER: unscaled = Double(data.load(fromByteOffset: row * 4, as: Int32.self))
            case DUCKDB_TYPE_BIGINT: unscaled = Double(data.load(fromByteOffset: row * 8, as: Int64.self))
            default:
                let v = data.load(fromByteOffset: row * 16, as: duckdb_hugeint.self)
                unscaled = Double(v.upper) * 0x1p64 + Double(v.lower)
            }
            return .double(unscaled / pow10(scale))
        case DUCKDB_TYPE_UUID:
            // Stored as a hugeint with the top bit flipped, so it sorts as unsigned.
            let v = data.load(fromByteOffset: row * 16, as: duckdb_hugeint.self)
            let upper = UInt64(bitPattern: v.upper) ^ (1 << 63)
            let hex = hex16(upper) + hex16(v.lower)
            let c = Array(hex)
            return .text(String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-"
                         + String(c[16..<20]) + "-" + String(c[20..<32]))
        case DUCKDB_TYPE_ENUM:
            let index: Int
            switch duckdb_enum_internal_type(logical) {
            case DUCKDB_TYPE_UTINYINT: index = Int(data.load(fromByteOffset: row, as: UInt8.self))
            case DUCKDB_TYPE_USMALLINT: index = Int(data.load(fromByteOffset: row * 2, as: UInt16.self))
            default: index = Int(data.load(fromByteOffset: row * 4, as: UInt32.self))
            }
            guard let text = duckdb_enum_dictionary_value(logical, idx_t(index)) else { return .null }
            defer { duckdb_free(text) }
            return .text(String(cString: text))
        case DUCKDB_TYPE_TIME:
            let micros = data.load(fromByteOffset: row * 8, as: Int64.self)
            let full = TimestampFormat.iso8601(micros: micros)  // 1970-01-01THH:MM:SS[.ffffff]Z
            return .text(String(full.dropFirst(11).dropLast()))
        case DUCKDB_TYPE_INTERVAL:
            let v = data.load(fromByteOffset: row * 16, as: duckdb_interval.self)
            return .text("\(v.months) months \(v.days) days \(Double(v.micros) / 1e6) seconds")
        default:
            return .text("(unsupported DuckDB type \(type.rawValue))")
        }
    }

    private static func integer(upper: Int64, lower: UInt64) -> Value {
        if upper == 0, lower <= UInt64(Int64.max) { return .int(Int64(lower)) }
        if upper == -1, lower > UInt64(Int64.max) { return .int(Int64(bitPattern: lower)) }
        return .double(Double(upper) * 0x1p64 + Double(lower))
    }

    private static func pow10(_ n: Int) -> Double {
        var result = 1.0
        for _ in 0..<n { result *= 10 }
        return result
    }

    private static func hex16(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
