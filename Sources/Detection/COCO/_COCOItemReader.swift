import Foundation

/// Walks the items of a COCO document with a scanner. A bad field does not stop the walk: it is
/// remembered, the rest of the item is read, and the item then fails or is skipped by policy.
struct _ItemReader {
    var scanner: _JSONScanner
    let policy: BadItemPolicy
    let skipped: ((DetectionError) -> Void)?
    var problem: DetectionError?

    init(scanner: _JSONScanner, policy: BadItemPolicy, skipped: ((DetectionError) -> Void)?) {
        self.scanner = scanner
        self.policy = policy
        self.skipped = skipped
    }

    var source: String { scanner.source }

    static let topKeys: [[UInt8]] = ["images", "annotations", "categories"].map { Array($0.utf8) }
    static let imageKeys: [[UInt8]] = ["id", "file_name", "width", "height"].map { Array($0.utf8) }
    static let annotationKeys: [[UInt8]] = ["id", "image_id", "category_id", "bbox", "area", "iscrowd", "ignore"].map { Array($0.utf8) }
    static let categoryKeys: [[UInt8]] = ["id", "name"].map { Array($0.utf8) }
    static let resultKeys: [[UInt8]] = ["image_id", "category_id", "bbox", "score"].map { Array($0.utf8) }

    // MARK: Documents

    mutating func readInstances(into raw: inout _RawInstances) throws {
        try expectTop(.object, "a COCO instances file is a JSON object with \"images\", \"annotations\" and \"categories\"")
        try scanner.beginObject()
        while let key = try scanner.nextKey(Self.topKeys) {
            switch key {
            case 0:
                raw.sawImages = true
                try forEachItem("images") { reader, index in try reader.readImage(index, into: &raw) }
            case 1:
                try forEachItem("annotations") { reader, index in try reader.readAnnotation(index, into: &raw) }
            case 2:
                raw.sawCategories = true
                try forEachItem("categories") { reader, index in try reader.readCategory(index, into: &raw) }
            default:
                try scanner.skipValue()
            }
        }
        try scanner.expectEnd()
    }

    mutating func readResults(into detections: inout [ScoredBox]) throws {
        try expectTop(.array, "a COCO results file is a JSON array of {\"image_id\", \"category_id\", \"bbox\", \"score\"} objects")
        try scanner.beginArray()
        var index = 0
        while try scanner.nextElement() {
            try readDetection(index, into: &detections)
            index += 1
        }
        try scanner.expectEnd()
    }

    private mutating func expectTop(_ kind: _JSONScanner.Kind, _ what: String) throws {
        let found = scanner.peekKind()
        if found == .invalid || found == .end { throw scanner.error(found == .end ? "the text is empty" : "expected a JSON value") }
        guard found == kind else { throw DetectionError.invalidStructure(source: source, reason: "\(what), found \(found.name)") }
    }

    /// Calls `body` for each element of the array under a top-level key.
    private mutating func forEachItem(_ key: String, _ body: (inout _ItemReader, Int) throws -> Void) throws {
        let found = try valueKind()
        guard found == .array else {
            throw DetectionError.invalidStructure(source: source, reason: "\"\(key)\" must be an array, found \(found.name)")
        }
        try scanner.beginArray()
        var index = 0
        while try scanner.nextElement() {
            try body(&self, index)
            index += 1
        }
    }

    // MARK: Items

    private mutating func readImage(_ index: Int, into raw: inout _RawInstances) throws {
        var id: Int?
        var fileName = ""
        var width = 0
        var height = 0
        let item = { (id: Int?) in "images[\(index)]" + (id.map { " (id \($0))" } ?? "") }
        if try beginItem(item(nil)) {
            while let key = try scanner.nextKey(Self.imageKeys) {
                switch key {
                case 0: id = try readInt("id", item(nil))
                case 1: fileName = try readString("file_name", item(id)) ?? ""
                case 2: width = try readSize("width", item(id))
                case 3: height = try readSize("height", item(id))
                default: try scanner.skipValue()
                }
            }
        }
        if id == nil { note(.missingField(source: source, item: item(nil), field: "id")) }
        guard try endItem(), let id else { return }
        raw.images.append((index, ImageRecord(id: id, fileName: fileName, width: width, height: height)))
    }

    private mutating func readCategory(_ index: Int, into raw: inout _RawInstances) throws {
        var id: Int?
        var name = ""
        let item = { (id: Int?) in "categories[\(index)]" + (id.map { " (id \($0))" } ?? "") }
        if try beginItem(item(nil)) {
            while let key = try scanner.nextKey(Self.categoryKeys) {
                switch key {
                case 0: id = try readInt("id", item(nil))
                case 1: name = try readString("name", item(id)) ?? ""
                default: try scanner.skipValue()
                }
            }
        }
        if id == nil { note(.missingField(source: source, item: item(nil), field: "id")) }
        guard try endItem(), let id else { return }
        raw.categories.append((index, Category(id: id, name: name)))
    }

    private mutating func readAnnotation(_ index: Int, into raw: inout _RawInstances) throws {
        var id: Int?
        var imageID: Int?
        var categoryID: Int?
        var box: Box?
        var area: Double?
        var crowd = false
        var ignore = false
        let item = { (id: Int?) in "annotations[\(index)]" + (id.map { " (id \($0))" } ?? "") }
        if try beginItem(item(nil)) {
            while let key = try scanner.nextKey(Self.annotationKeys) {
                switch key {
                case 0: id = try readInt("id", item(nil))
                case 1: imageID = try readInt("image_id", item(id))
                case 2: categoryID = try readInt("category_id", item(id))
                case 3: box = try readBox(item(id))
                case 4: area = try readDouble("area", item(id), optional: true)
                case 5: crowd = try readFlag("iscrowd", item(id))
                case 6: ignore = try readFlag("ignore", item(id))
                default: try scanner.skipValue()
                }
            }
        }
        if id == nil { note(.missingField(source: source, item: item(id), field: "id")) }
        if imageID == nil { note(.missingField(source: source, item: item(id), field: "image_id")) }
        if categoryID == nil { note(.missingField(source: source, item: item(id), field: "category_id")) }
        if box == nil { note(.missingField(source: source, item: item(id), field: "bbox")) }
        guard try endItem(), let id, let imageID, let categoryID, let box else { return }
        raw.annotations.append((index, imageID, Annotation(id: id, categoryID: categoryID, box: box, area: area, isCrowd: crowd, ignore: ignore)))
    }

    private mutating func readDetection(_ index: Int, into detections: inout [ScoredBox]) throws {
        var imageID: Int?
        var categoryID: Int?
        var box: Box?
        var score: Double?
        let item = { (imageID: Int?) in "detection [\(index)]" + (imageID.map { " (image_id \($0))" } ?? "") }
        if try beginItem(item(nil)) {
            while let key = try scanner.nextKey(Self.resultKeys) {
                switch key {
                case 0: imageID = try readInt("image_id", item(nil))
                case 1: categoryID = try readInt("category_id", item(imageID))
                case 2: box = try readBox(item(imageID))
                case 3: score = try readDouble("score", item(imageID))
                default: try scanner.skipValue()
                }
            }
        }
        if imageID == nil { note(.missingField(source: source, item: item(imageID), field: "image_id")) }
        if categoryID == nil { note(.missingField(source: source, item: item(imageID), field: "category_id")) }
        if box == nil { note(.missingField(source: source, item: item(imageID), field: "bbox")) }
        if score == nil { note(.missingField(source: source, item: item(imageID), field: "score")) }
        guard try endItem(), let imageID, let categoryID, let box, let score else { return }
        detections.append(ScoredBox(imageID: imageID, categoryID: categoryID, box: box, score: score))
    }

    // MARK: Item plumbing

    /// Opens an item's object; false for an item that is not an object, which then fails (or is
    /// skipped) as a whole.
    private mutating func beginItem(_ item: @autoclosure () -> String) throws -> Bool {
        problem = nil
        let found = try valueKind()
        guard found == .object else {
            note(.invalidStructure(source: source, reason: "\(item()) must be an object, found \(found.name)"))
            try scanner.skipValue()
            return false
        }
        try scanner.beginObject()
        return true
    }

    /// Closes an item: false (after reporting) when it had a problem and is skipped.
    private mutating func endItem() throws -> Bool {
        guard let problem else { return true }
        self.problem = nil
        if policy == .fail { throw problem }
        skipped?(problem)
        return false
    }

    private mutating func note(_ e: DetectionError) {
        if problem == nil { problem = e }
    }

    /// The kind of the next value; malformed text fails here.
    private mutating func valueKind() throws -> _JSONScanner.Kind {
        let kind = scanner.peekKind()
        if kind == .invalid { throw scanner.error("expected a value") }
        if kind == .end { throw scanner.error("unexpected end of the text") }
        return kind
    }

    /// Passes over a value of the wrong kind, noting the problem.
    private mutating func wrongKind(_ field: String, _ item: @autoclosure () -> String, _ expected: String, _ found: _JSONScanner.Kind) throws {
        note(.invalidField(source: source, item: item(), field: field, reason: "must be \(expected), found \(found.name)"))
        try scanner.skipValue()
    }

    private mutating func readInt(_ field: String, _ item: @autoclosure () -> String, optional: Bool = false) throws -> Int? {
        let kind = try valueKind()
        if kind == .null && optional {
            try scanner.skipValue()
            return nil
        }
        guard kind == .number else {
            try wrongKind(field, item(), "an integer", kind)
            return nil
        }
        let number = try scanner.readNumber()
        guard let value = number.integer else {
            note(.invalidField(source: source, item: item(), field: field, reason: "must be an integer, found \(number.value)"))
            return nil
        }
        return value
    }

    private mutating func readDouble(_ field: String, _ item: @autoclosure () -> String, optional: Bool = false) throws -> Double? {
        let kind = try valueKind()
        if kind == .null && optional {
            try scanner.skipValue()
            return nil
        }
        guard kind == .number else {
            try wrongKind(field, item(), "a number", kind)
            return nil
        }
        return try scanner.readNumber().value
    }

    /// An image's width or height: a number (rounded to an integer), 0 when absent or null.
    private mutating func readSize(_ field: String, _ item: @autoclosure () -> String) throws -> Int {
        guard let value = try readDouble(field, item(), optional: true) else { return 0 }
        guard value >= 0, value < 1e9 else {
            note(.invalidField(source: source, item: item(), field: field, reason: "must be a size in pixels, found \(value)"))
            return 0
        }
        return Int(value.rounded())
    }

    private mutating func readString(_ field: String, _ item: @autoclosure () -> String) throws -> String? {
        let kind = try valueKind()
        if kind == .null {
            try scanner.skipValue()
            return nil
        }
        guard kind == .string else {
            try wrongKind(field, item(), "a string", kind)
            return nil
        }
        return try scanner.readString()
    }

    /// `iscrowd` and `ignore`: 0/1 (any non-zero number is true), true/false, or null (false).
    private mutating func readFlag(_ field: String, _ item: @autoclosure () -> String) throws -> Bool {
        switch try valueKind() {
        case .number: return try scanner.readNumber().value != 0
        case .bool: return try scanner.readBool()
        case .null:
            try scanner.skipValue()
            return false
        case let kind:
            try wrongKind(field, item(), "0 or 1", kind)
            return false
        }
    }

    /// `[x, y, width, height]`: four numbers, width and height not negative.
    private mutating func readBox(_ item: @autoclosure () -> String) throws -> Box? {
        let kind = try valueKind()
        guard kind == .array else {
            try wrongKind("bbox", item(), "[x, y, width, height]", kind)
            return nil
        }
        try scanner.beginArray()
        var v = (0.0, 0.0, 0.0, 0.0)
        var count = 0
        var nonNumber: _JSONScanner.Kind?
        while try scanner.nextElement() {
            let k = try valueKind()
            if k == .number {
                let x = try scanner.readNumber().value
                switch count {
                case 0: v.0 = x
                case 1: v.1 = x
                case 2: v.2 = x
                case 3: v.3 = x
                default: break
                }
            } else {
                if nonNumber == nil { nonNumber = k }
                try scanner.skipValue()
            }
            count += 1
        }
        if let nonNumber {
            note(.invalidField(source: source, item: item(), field: "bbox", reason: "must be [x, y, width, height] of numbers, found \(nonNumber.name) in it"))
            return nil
        }
        guard count == 4 else {
            note(.invalidField(source: source, item: item(), field: "bbox", reason: "must be [x, y, width, height], found \(count) number\(count == 1 ? "" : "s")"))
            return nil
        }
        let box = Box(x: v.0, y: v.1, width: v.2, height: v.3)
        if box.width < 0 || box.height < 0 {
            note(.negativeBoxSize(source: source, item: item(), box: box))
            return nil
        }
        return box
    }
}
