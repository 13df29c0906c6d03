/// What goes wrong with detection data: unreadable files, malformed JSON, items that name an
/// unknown image or category, impossible boxes. Each case names the file (or the source given to
/// the reader, such as "detections") and the item, by its index in the file and its id where it
/// has one, so that a user can find and fix it.
///
/// ```
/// error: detections.json: detection [17] (image_id 42): unknown image id 42: not in the ground truth's images
/// ```
public enum DetectionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadableFile(path: String, reason: String)
    /// The text is not JSON; `line` and `column` are 1-based.
    case malformedJSON(source: String, line: Int, column: Int, reason: String)
    /// The JSON is valid but its layout is not the expected one (a missing top-level key, an
    /// object where an array belongs).
    case invalidStructure(source: String, reason: String)
    /// A required field of an item is absent.
    case missingField(source: String, item: String, field: String)
    /// A field is present but has the wrong type or an impossible value.
    case invalidField(source: String, item: String, field: String, reason: String)
    /// An item refers to an image id that the ground truth does not have.
    case unknownImage(source: String, item: String, imageID: Int)
    /// An item refers to a category id that the ground truth does not have.
    case unknownCategory(source: String, item: String, categoryID: Int)
    /// A box with a negative width or height.
    case negativeBoxSize(source: String, item: String, box: Box)
    /// Two images, categories or annotations with the same id.
    case duplicateID(source: String, item: String, kind: String, id: Int)

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason):
            return "\(path): cannot read the file: \(reason)"
        case let .malformedJSON(source, line, column, reason):
            return "\(source): not valid JSON at line \(line), column \(column): \(reason)"
        case let .invalidStructure(source, reason):
            return "\(source): \(reason)"
        case let .missingField(source, item, field):
            return "\(source): \(item): missing field '\(field)'"
        case let .invalidField(source, item, field, reason):
            return "\(source): \(item): field '\(field)' \(reason)"
        case let .unknownImage(source, item, imageID):
            return "\(source): \(item): unknown image id \(imageID): not among the ground truth's images"
        case let .unknownCategory(source, item, categoryID):
            return "\(source): \(item): unknown category id \(categoryID): not among the ground truth's categories"
        case let .negativeBoxSize(source, item, box):
            return "\(source): \(item): box [\(box.x), \(box.y), \(box.width), \(box.height)] has a negative width or height"
        case let .duplicateID(source, item, kind, id):
            return "\(source): \(item): duplicate \(kind) id \(id)"
        }
    }
}

/// What a reader or the evaluator does with a bad item (an unknown image or category, a negative
/// box): stop with a `DetectionError` (the default), or leave the item out, report it through the
/// caller's `skipped` handler, and go on. Malformed JSON and a broken file layout always fail.
public enum BadItemPolicy: String, Sendable, CaseIterable {
    /// Stop with a `DetectionError` (the default).
    case fail
    /// Leave the item out, report it through `skipped`, and go on.
    case skip
}
