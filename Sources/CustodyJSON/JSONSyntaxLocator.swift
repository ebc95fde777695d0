/// Finds the first syntax error in bytes that simdjson rejected, so an error message can
/// name the line, column and byte offset. Runs only on the failure path.
enum JSONSyntaxLocator {
    static func firstError(in bytes: [UInt8]) -> JSONError.Location? {
        var scanner = Scanner(bytes: bytes)
        do {
            scanner.skipSpace()
            try scanner.value(depth: 0)
            scanner.skipSpace()
            if scanner.position < bytes.count { return scanner.location() }
            return nil
        } catch {
            return scanner.location()
        }
    }

    private struct Failure: Error {}

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func location() -> JSONError.Location {
            var line = 1
            var column = 1
            for byte in bytes[..<min(position, bytes.count)] {
                if byte == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else if byte & 0xC0 != 0x80 {
                    column += 1
                }
            }
            return JSONError.Location(offset: position, line: line, column: column)
        }

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) {
                position += 1
            }
        }

        mutating func expect(_ literal: String) throws {
            for byte in literal.utf8 {
                guard position < bytes.count, bytes[position] == byte else { throw Failure() }
                position += 1
            }
        }

        mutating func value(depth: Int) throws {
            guard depth < 1024, position < bytes.count else { throw Failure() }
            switch bytes[position] {
            case UInt8(ascii: "{"):
                position += 1
                skipSpace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                    position += 1
                    return
                }
                while true {
                    skipSpace()
                    try string()
                    skipSpace()
                    try expect(":")
                    skipSpace()
                    try value(depth: depth + 1)
                    skipSpace()
                    guard position < bytes.count else { throw Failure() }
                    if bytes[position] == UInt8(ascii: ",") {
                        position += 1
                    } else if bytes[position] == UInt8(ascii: "}") {
                        position += 1
                        return
                    } else {
                        throw Failure()
                    }
                }
            case UInt8(ascii: "["):
                position += 1
                skipSpace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    return
                }
                while true {
                    skipSpace()
                    try value(depth: depth + 1)
                    skipSpace()
                    guard position < bytes.count else { throw Failure() }
                    if bytes[position] == UInt8(ascii: ",") {
                        position += 1
                    } else if bytes[position] == UInt8(ascii: "]") {
                        position += 1
                        return
                    } else {
                        throw Failure()
                    }
                }
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try expect("true")
            case UInt8(ascii: "f"): try expect("false")
            case UInt8(ascii: "n"): try expect("null")
            default: try number()
            }
        }

        mutating func string() throws {
            try expect("\"")
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    position += 1
                    return
                }
                if byte < 0x20 { throw Failure() }
                position += byte == UInt8(ascii: "\\") ? 2 : 1
            }
            throw Failure()
        }

        mutating func number() throws {
            let start = position
            while position < bytes.count,
                "+-0123456789.eE".utf8.contains(bytes[position])
            {
                position += 1
            }
            if position == start { throw Failure() }
        }
    }
}
