import Foundation

/// The image formats the codecs read: JPEG (libjpeg-turbo) and PNG (libpng).
public enum ImageFormat: String, Hashable, Sendable, CaseIterable {
    /// A JPEG file (libjpeg-turbo).
    case jpeg = "JPEG"
    /// A PNG file (libpng).
    case png = "PNG"

    /// The format by the file's first bytes (the name's extension can lie).
    public init?(magic bytes: some Collection<UInt8>) {
        let start = Array(bytes.prefix(8))
        if start.count >= 2, start[0] == 0xFF, start[1] == 0xD8 {
            self = .jpeg
        } else if start == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] {
            self = .png
        } else {
            return nil
        }
    }

    /// File-name extensions (lower case) that loaders take for images.
    public static let fileExtensions: Set<String> = ["jpg", "jpeg", "png"]
    /// Extensions of images in other formats: listed as unsupported rather than ignored.
    static let otherImageExtensions: Set<String> = ["bmp", "gif", "tif", "tiff", "webp", "heic", "dng", "mpo", "pfm"]
}

/// An image's format and pixel size, read from its header without decoding the pixels: the
/// dataset loaders need every image's size (to turn YOLO's fractions into pixels) but not its
/// pixels.
public struct ImageHeader: Hashable, Sendable {
    /// JPEG or PNG.
    public var format: ImageFormat
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int

    /// A header's facts.
    public init(format: ImageFormat, width: Int, height: Int) {
        self.format = format
        self.width = width
        self.height = height
    }

    /// The pixel budget an image gets by default: 64 megapixels (192 MB decoded; a 12 MP photo
    /// is 12), so that an image whose header claims 65500 x 65500 is refused, not decoded.
    public static let defaultMaxPixels = 64_000_000

    /// Throws `DataError.imageTooLarge` when `width x height` is above `maxPixels`.
    public static func checkBudget(width: Int, height: Int, maxPixels: Int, path: String) throws {
        if width.multipliedReportingOverflow(by: height).partialValue > maxPixels || width > maxPixels || height > maxPixels {
            throw DataError.imageTooLarge(path: path, width: width, height: height, limit: maxPixels)
        }
    }

    /// Reads the header of the image at `path`, checks its size against `maxPixels` and that
    /// the file is complete: that its end marker (JPEG's EOI, PNG's IEND chunk) lies in its last
    /// 4 KB. Throws `DataError`.
    public static func read(contentsOfFile path: String, maxPixels: Int = defaultMaxPixels) throws -> ImageHeader {
        let header = try readUnchecked(path, maxBytes: maxFileBytes(maxPixels: maxPixels))
        try checkBudget(width: header.width, height: header.height, maxPixels: maxPixels, path: path)
        return header
    }

    /// The largest image file read under a pixel budget: 8 bytes a pixel (16-bit RGBA stored
    /// raw) and 64 MB of metadata, so that no image within the budget is refused for its size.
    public static func maxFileBytes(maxPixels: Int) -> Int {
        maxPixels.multipliedReportingOverflow(by: 8).partialValue.addingReportingOverflow(64 << 20).partialValue
    }

    private static func readUnchecked(_ path: String, maxBytes: Int) throws -> ImageHeader {
        let tailSize = 4096
        var (head, tail, size) = try _FileIO.readEnds(path, head: 65536, tail: tailSize, role: "image")
        if size == 0 { throw DataError.corruptImage(path: path, format: "image", reason: "the file is empty") }
        guard let format = ImageFormat(magic: head) else {
            throw DataError.unsupportedImage(path: path, reason: "not a JPEG or PNG file (first bytes \(hexPrefix(head)))")
        }
        switch format {
        case .png:
            return try parsePNG(head: head, tail: tail, size: size, path: path)
        case .jpeg:
            var parsed = try parseJPEG(head, complete: head.count == size, path: path)
            if parsed == nil {
                // Markers run past the first 64 KB (large EXIF or ICC data): read the whole file.
                head = try _FileIO.read(path, role: "image", maxBytes: maxBytes)
                tail = head.suffix(tailSize)
                parsed = try parseJPEG(head, complete: true, path: path)
            }
            guard let (header, scanStart) = parsed else { throw DataError.truncatedImage(path: path, format: "JPEG") }
            // EOI (FF D9) after the scan header: inside entropy-coded data FF is always followed
            // by 00 or a restart marker, so FF D9 there is the real end.
            let tailStart = size - tail.count
            let from = max(scanStart, tailStart) - tailStart
            let bytes = Array(tail)
            var found = false
            if from < bytes.count - 1 {
                for k in from..<(bytes.count - 1) where bytes[k] == 0xFF && bytes[k + 1] == 0xD9 {
                    found = true
                    break
                }
            }
            guard found else { throw DataError.truncatedImage(path: path, format: "JPEG") }
            return header
        }
    }

    /// Walks JPEG markers to the frame header (SOFn) and the first scan (SOS). Returns nil when
    /// the bytes end first and `complete` is false (more of the file is needed).
    static func parseJPEG(_ data: Data, complete: Bool, path: String) throws -> (ImageHeader, scanStart: Int)? {
        let b = Array(data)
        var i = 2
        var size: (Int, Int)?
        func more() throws -> (ImageHeader, Int)? {
            if complete { throw DataError.truncatedImage(path: path, format: "JPEG") }
            return nil
        }
        while true {
            guard i < b.count else { return try more() }
            guard b[i] == 0xFF else {
                throw DataError.corruptImage(path: path, format: "JPEG", reason: "expected a marker at byte \(i), found 0x\(String(b[i], radix: 16))")
            }
            while i < b.count && b[i] == 0xFF { i += 1 }
            guard i + 2 < b.count else { return try more() }
            let marker = b[i]
            i += 1
            if marker == 0x01 || (0xD0...0xD8).contains(marker) { continue }
            if marker == 0xD9 {
                throw DataError.corruptImage(path: path, format: "JPEG", reason: "end-of-image marker before any image data")
            }
            let length = Int(b[i]) << 8 | Int(b[i + 1])
            guard length >= 2 else {
                throw DataError.corruptImage(path: path, format: "JPEG", reason: "marker 0xFF\(String(marker, radix: 16)) has a bad length \(length)")
            }
            let isFrame = (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
            if isFrame {
                guard i + 7 <= b.count else { return try more() }
                size = (Int(b[i + 5]) << 8 | Int(b[i + 6]), Int(b[i + 3]) << 8 | Int(b[i + 4]))
            }
            if marker == 0xDA {
                guard let (width, height) = size else {
                    throw DataError.corruptImage(path: path, format: "JPEG", reason: "image data before the frame header")
                }
                guard width > 0, height > 0 else {
                    throw DataError.unsupportedImage(path: path, reason: "JPEG frame header gives size \(width)x\(height)")
                }
                return (ImageHeader(format: .jpeg, width: width, height: height), i + length)
            }
            i += length
        }
    }

    static func parsePNG(head: Data, tail: Data, size: Int, path: String) throws -> ImageHeader {
        let b = Array(head.prefix(33))
        guard b.count >= 24 else { throw DataError.truncatedImage(path: path, format: "PNG") }
        guard b[12...15].elementsEqual("IHDR".utf8) else {
            throw DataError.corruptImage(path: path, format: "PNG", reason: "the first chunk is not IHDR")
        }
        func be32(_ k: Int) -> Int { Int(b[k]) << 24 | Int(b[k + 1]) << 16 | Int(b[k + 2]) << 8 | Int(b[k + 3]) }
        let width = be32(16), height = be32(20)
        guard width > 0, height > 0 else {
            throw DataError.corruptImage(path: path, format: "PNG", reason: "IHDR gives size \(width)x\(height)")
        }
        let t = Array(tail.suffix(max(0, min(tail.count, size - 33))))
        let iend = Array("IEND".utf8)
        let found = t.count >= 4 && (0...(t.count - 4)).contains { t[$0..<($0 + 4)].elementsEqual(iend) }
        guard found else { throw DataError.truncatedImage(path: path, format: "PNG") }
        return ImageHeader(format: .png, width: width, height: height)
    }

    static func hexPrefix(_ data: Data) -> String {
        data.prefix(4).map { "0x" + String($0, radix: 16, uppercase: true) }.joined(separator: " ")
    }
}
