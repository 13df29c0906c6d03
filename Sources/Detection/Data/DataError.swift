/// Everything that can be wrong with a dataset on disk, each case naming the file (and the line,
/// for text files) so that the user can go and fix it. Loaders either stop at the first one or
/// skip the image it concerns and report it, by `DataLoadOptions.onError`; they never crash and
/// never drop an item without saying so.
public enum DataError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A file or folder that the input needs does not exist; `role` says what it was for.
    case missingFile(path: String, role: String)
    /// A label file whose image is not there (`stem` + any supported extension, in `folder`).
    case missingImage(labelFile: String, folder: String, stem: String)
    /// The file exists but could not be read (permissions, an I/O error).
    case unreadableFile(path: String, reason: String)
    /// An image in a format the codecs do not read (only JPEG and PNG are supported).
    case unsupportedImage(path: String, reason: String)
    /// An image whose bytes the codec rejects: not what its name says, a bad header, corrupt data.
    case corruptImage(path: String, format: String, reason: String)
    /// An image that stops before its end marker: a partial download or copy.
    case truncatedImage(path: String, format: String)
    /// An image whose header claims more pixels than the budget: refused before any decode
    /// (a 196 KB JPEG claiming 65500 x 65500 would need 12.9 GB).
    case imageTooLarge(path: String, width: Int, height: Int, limit: Int)
    /// One line of a YOLO label file that is not `class cx cy w h` with sensible values.
    case badLabel(file: String, line: Int, problem: LabelProblem)
    /// The class-names file is empty or malformed.
    case badNames(file: String, line: Int, reason: String)
    /// A folder that should hold images holds none.
    case noImages(folder: String, hint: String)
    /// A YOLO root whose images/ holds no images but the splits `splits`: one must be named.
    case splitNeeded(folder: String, splits: [String])
    /// Writing an output file failed.
    case writeFailed(path: String, reason: String)
    /// Something other than a regular file where one is expected (after following symbolic
    /// links): `kind` says what ("a folder", "a character device", "a dangling symbolic link").
    case notAFile(path: String, role: String, kind: String)
    /// A file (or standard input) larger than the most that is read of a `role`.
    case fileTooLarge(path: String, role: String, limit: Int)

    /// What is wrong with a label line.
    public enum LabelProblem: Hashable, Sendable, CustomStringConvertible {
        /// The line has this many whitespace-separated fields instead of 5.
        case fieldCount(Int)
        /// A field that should be a number is not (`field` names it: class, cx, cy, w, h).
        case notANumber(field: String, text: String)
        /// The class id is not a valid index into the class names.
        case classOutOfRange(id: Int, classCount: Int)
        /// A box width or height below zero.
        case negativeSize(field: String, value: Double)
        /// A box width or height of exactly zero: a box with no area matches nothing.
        case zeroSize(field: String)
        /// A coordinate outside [0, 1]: YOLO labels are fractions of the image size, and pixel
        /// coordinates written by mistake land here.
        case notNormalised(field: String, value: Double)
        /// The box has no area left once clipped to the image.
        case outsideImage
        /// The label file is not UTF-8 (or ASCII) text.
        case notText

        public var description: String {
            switch self {
            case .fieldCount(let n):
                return "expected 5 fields \"class cx cy w h\", found \(n)"
            case .notANumber(let field, let text):
                return field == "class"
                    ? "class id \"\(text)\" is not a whole number"
                    : "\(field) \"\(text)\" is not a finite number"
            case .classOutOfRange(let id, let count):
                return "class id \(id) is out of range: the names file has \(count) classes (ids 0-\(count - 1))"
            case .negativeSize(let field, let value):
                return "box \(field) \(value) is negative"
            case .zeroSize(let field):
                return "box \(field) is zero"
            case .outsideImage:
                return "box lies outside the image"
            case .notText:
                return "not a text file (expected UTF-8 lines \"class cx cy w h\")"
            case .notNormalised(let field, let value):
                return "\(field) \(value) is outside [0, 1] (YOLO labels are fractions of the image width and height, not pixels)"
            }
        }
    }

    /// The file the error concerns.
    public var path: String {
        switch self {
        case .missingFile(let p, _), .unreadableFile(let p, _), .unsupportedImage(let p, _),
             .corruptImage(let p, _, _), .truncatedImage(let p, _), .writeFailed(let p, _), .imageTooLarge(let p, _, _, _):
            return p
        case .notAFile(let p, _, _), .fileTooLarge(let p, _, _):
            return p
        case .missingImage(let p, _, _), .badLabel(let p, _, _), .badNames(let p, _, _):
            return p
        case .noImages(let p, _):
            return p
        case .splitNeeded(let p, _):
            return p
        }
    }

    public var description: String {
        switch self {
        case .missingFile(let path, let role):
            return "\(path): no such \(role)"
        case .missingImage(let label, let folder, let stem):
            return "\(label): no image for this label file (looked for \(stem).jpg, .jpeg, .png in \(folder))"
        case .unreadableFile(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .unsupportedImage(let path, let reason):
            return "\(path): unsupported image: \(reason) (JPEG and PNG are supported)"
        case .corruptImage(let path, let format, let reason):
            return "\(path): corrupt \(format): \(reason)"
        case .truncatedImage(let path, let format):
            return "\(path): truncated \(format): the file ends before the image does (an incomplete copy or download?)"
        case .imageTooLarge(let path, let width, let height, let limit):
            return "\(path): \(width) x \(height) pixels, above the budget of \(limit) pixels an image"
        case .badLabel(let file, let line, let problem):
            return "\(file):\(line): \(problem)"
        case .badNames(let file, let line, let reason):
            return line > 0 ? "\(file):\(line): \(reason)" : "\(file): \(reason)"
        case .noImages(let folder, let hint):
            return "\(folder): no JPEG or PNG images found\(hint.isEmpty ? "" : "; \(hint)")"
        case .splitNeeded(let folder, let splits):
            return "\(folder): no JPEG or PNG images found; it holds the splits \(splits.joined(separator: ", ")): name one\(splits.first.map { " (e.g. \($0))" } ?? "")"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write: \(reason)"
        case .notAFile(let path, let role, let kind):
            return "\(path): is \(kind), not a file (\(BoundedFile.article(role)) must be a regular file)"
        case .fileTooLarge(let path, let role, let limit):
            return "\(path): larger than \(BoundedFile.megabytes(limit)), the limit of \(BoundedFile.article(role))"
        }
    }
}
