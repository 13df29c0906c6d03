import Foundation

/// JSON numbers: the RFC 8259 grammar, parsed to the nearest Double as Python's `json` does.
extension _JSONScanner {
    /// Reads a number (the caller has checked `peekKind() == .number`).
    mutating func readNumber() throws -> Number {
        skipWhitespace()
        let start = position
        var i = position
        var negative = false
        if byte(i) == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        // Integer part: "0" or [1-9][0-9]*.
        var mantissa: UInt64 = 0
        var significant = 0  // digits counted into the mantissa, leading zeros excluded
        if byte(i) == UInt8(ascii: "0") {
            i += 1
        } else if byte(i) >= UInt8(ascii: "1") && byte(i) <= UInt8(ascii: "9") {
            while byte(i) >= UInt8(ascii: "0") && byte(i) <= UInt8(ascii: "9") {
                if significant < 19 { mantissa = mantissa &* 10 &+ UInt64(byte(i) &- 48) }
                significant += 1
                i += 1
            }
        } else {
            if byte(i) == UInt8(ascii: "I") || byte(i) == UInt8(ascii: "N") { throw error("non-finite numbers (NaN, Infinity) are not allowed", at: start) }
            throw error("invalid number", at: start)
        }
        var fractionDigits = 0
        var isInteger = true
        if byte(i) == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            let fracStart = i
            while byte(i) >= UInt8(ascii: "0") && byte(i) <= UInt8(ascii: "9") {
                let d = UInt64(byte(i) &- 48)
                if significant > 0 || d != 0 {
                    if significant < 19 { mantissa = mantissa &* 10 &+ d } else { fractionDigits -= 1 }
                    significant += 1
                }
                fractionDigits += 1
                i += 1
            }
            if i == fracStart { throw error("invalid number: a digit must follow the decimal point", at: i) }
        }
        var exponent = 0
        if byte(i) == UInt8(ascii: "e") || byte(i) == UInt8(ascii: "E") {
            isInteger = false
            i += 1
            var expNegative = false
            if byte(i) == UInt8(ascii: "+") || byte(i) == UInt8(ascii: "-") {
                expNegative = byte(i) == UInt8(ascii: "-")
                i += 1
            }
            let expStart = i
            while byte(i) >= UInt8(ascii: "0") && byte(i) <= UInt8(ascii: "9") {
                if exponent < 100_000 { exponent = exponent * 10 + Int(byte(i) &- 48) }
                i += 1
            }
            if i == expStart { throw error("invalid number: a digit must follow the exponent sign", at: i) }
            if expNegative { exponent = -exponent }
        }
        position = i

        // Fast exact path (Clinger): a mantissa below 2^53 and a power of ten up to 10^22 are
        // both exact Doubles, so one multiplication or division rounds correctly.
        let scale = exponent - fractionDigits
        var value: Double
        if significant <= 15 && scale >= -22 && scale <= 22 {
            value = Double(mantissa)
            if scale < 0 { value /= _JSONScanner.powersOfTen[-scale] } else if scale > 0 { value *= _JSONScanner.powersOfTen[scale] }
            if negative { value = -value }
        } else {
            value = try slowParse(start, i)
        }
        guard value.isFinite else { throw error("number out of the range of a Double", at: start) }
        var integer: Int?
        if isInteger && significant <= 18 { integer = negative ? -Int(mantissa) : Int(mantissa) }
        return Number(value: value, exactInteger: integer)
    }

    private static let powersOfTen: [Double] = (0...22).map { k in
        var p = 1.0
        for _ in 0..<k { p *= 10 }
        return p
    }

    /// `strtod` (correctly rounded in glibc and Apple's libc) on a NUL-terminated copy.
    private func slowParse(_ start: Int, _ end: Int) throws -> Double {
        let length = end - start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
            for j in 0..<length { buffer[j] = CChar(bitPattern: bytes[start + j]) }
            buffer[length] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }
}
