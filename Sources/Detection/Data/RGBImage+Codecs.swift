import Foundation
import _CJPEG
import _CPNG

/// Decoding JPEG and PNG, encoding PNG. The C wrappers in `_CJPEG` and `_CPNG` catch the
/// libraries' errors, so a corrupt file becomes a `DataError` naming it, never a crash.
extension RGBImage {
    /// Decodes the JPEG or PNG file at `path` (the format is taken from the file's first bytes).
    /// Throws `DataError`: missing, unreadable, unsupported, corrupt or truncated file, or one
    /// whose header claims more than `maxPixels` pixels (checked before any decode), or a file
    /// that is not a regular file or is larger than `ImageHeader.maxFileBytes(maxPixels:)`.
    public init(contentsOfFile path: String, maxPixels: Int = ImageHeader.defaultMaxPixels) throws {
        let data = try _FileIO.read(path, role: "image", maxBytes: ImageHeader.maxFileBytes(maxPixels: maxPixels))
        try self.init(encoded: data, path: path, maxPixels: maxPixels)
    }

    /// Decodes JPEG or PNG bytes; `path` only names the source in errors.
    public init(encoded data: Data, path: String = "<memory>", maxPixels: Int = ImageHeader.defaultMaxPixels) throws {
        if data.isEmpty { throw DataError.corruptImage(path: path, format: "image", reason: "the file is empty") }
        guard let format = ImageFormat(magic: data) else {
            throw DataError.unsupportedImage(path: path, reason: "not a JPEG or PNG file (first bytes \(ImageHeader.hexPrefix(data)))")
        }
        self = try Self.decode(data, format: format, path: path, maxPixels: maxPixels)
    }

    /// PNG bytes of the image (8-bit RGB, libpng's default compression).
    public func pngData() throws -> Data {
        var message = [CChar](repeating: 0, count: 256)
        var bound = 0
        _ = cpng_encode_rgb(nil, Int32(width), Int32(height), nil, &bound, &message, message.count)
        var out = Data(count: bound)
        var written = bound
        let status = pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBytes { target in
                cpng_encode_rgb(source.baseAddress, Int32(width), Int32(height),
                                target.baseAddress?.assumingMemoryBound(to: UInt8.self), &written, &message, message.count)
            }
        }
        guard status == CPNG_OK else {
            throw DataError.writeFailed(path: "<PNG encoder>", reason: Self.text(message))
        }
        out.count = written
        return out
    }

    /// Writes the image as a PNG file (atomically; the folder is created if needed).
    public func writePNG(toFile path: String) throws {
        let data: Data
        do {
            data = try pngData()
        } catch DataError.writeFailed(_, let reason) {
            throw DataError.writeFailed(path: path, reason: reason)
        }
        try _FileIO.write(data, to: path)
    }

    private static func decode(_ data: Data, format: ImageFormat, path: String, maxPixels: Int) throws -> RGBImage {
        var message = [CChar](repeating: 0, count: 256)
        var width: Int32 = 0, height: Int32 = 0
        let sizeStatus = data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self).baseAddress
            switch format {
            case .jpeg: return cjpeg_read_size(bytes, raw.count, &width, &height, &message, message.count)
            case .png: return cpng_read_size(bytes, raw.count, &width, &height, &message, message.count)
            }
        }
        guard sizeStatus == 0 else { throw failure(message, format: format, path: path) }
        try ImageHeader.checkBudget(width: Int(width), height: Int(height), maxPixels: maxPixels, path: path)
        let count = Int(width) * Int(height) * 3
        var pixels = [UInt8](repeating: 0, count: count)
        let status = data.withUnsafeBytes { raw in
            pixels.withUnsafeMutableBufferPointer { target in
                let bytes = raw.bindMemory(to: UInt8.self).baseAddress
                switch format {
                case .jpeg: return cjpeg_decode_rgb(bytes, raw.count, target.baseAddress, count, &width, &height, &message, message.count)
                case .png: return cpng_decode_rgb(bytes, raw.count, target.baseAddress, count, &width, &height, &message, message.count)
                }
            }
        }
        guard status == 0 else { throw failure(message, format: format, path: path) }
        return RGBImage(width: Int(width), height: Int(height), pixels: pixels)
    }

    /// libjpeg says "Premature end of JPEG file", libpng "Read Error" or "Not enough image data"
    /// for a file cut short: those become `.truncatedImage`, everything else `.corruptImage`.
    private static func failure(_ message: [CChar], format: ImageFormat, path: String) -> DataError {
        let reason = text(message)
        let truncation = ["Premature end of JPEG file", "Not enough image data", "Read Error", "read beyond end of data", "unexpected end of file"]
        if truncation.contains(where: { reason.localizedCaseInsensitiveContains($0) }) {
            return .truncatedImage(path: path, format: format.rawValue)
        }
        return .corruptImage(path: path, format: format.rawValue, reason: reason.isEmpty ? "the decoder rejected it" : reason)
    }

    private static func text(_ message: [CChar]) -> String {
        String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
