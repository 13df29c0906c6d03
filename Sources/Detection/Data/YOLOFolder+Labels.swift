/// Parsing YOLO label files: one object a line, `class cx cy w h`, the class a 0-based index into
/// the class names, the box centre and size as fractions of the image width and height.
extension YOLOFolder {
    /// One parsed label line.
    public struct LabelLine: Hashable, Sendable {
        /// The 0-based index into the class names.
        public var classIndex: Int
        /// The box centre's x, as a fraction of the image width.
        public var centerX: Double
        /// The box centre's y, as a fraction of the image height.
        public var centerY: Double
        /// The box width, as a fraction of the image width.
        public var width: Double
        /// The box height, as a fraction of the image height.
        public var height: Double
    }

    /// How far a normalised value may stray outside [0, 1]: label writers round, and a box
    /// touching the border can come out a hair beyond it (coco128 has -5e-7).
    static let normalisedTolerance = 1e-3

    /// Parses a label file's text. Blank lines are skipped; any other line that is not a valid
    /// `class cx cy w h` throws a `DataError.badLabel` with its 1-based line number.
    public static func parseLabels(_ text: String, file: String, classCount: Int) throws -> [LabelLine] {
        var result: [LabelLine] = []
        var number = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            let fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            func bad(_ problem: DataError.LabelProblem) -> DataError { .badLabel(file: file, line: number, problem: problem) }
            guard fields.count == 5 else { throw bad(.fieldCount(fields.count)) }
            guard let classIndex = Int(fields[0]) else { throw bad(.notANumber(field: "class", text: String(fields[0]))) }
            guard classIndex >= 0 && classIndex < classCount else {
                throw bad(.classOutOfRange(id: classIndex, classCount: classCount))
            }
            var values: [Double] = []
            for (name, text) in zip(["cx", "cy", "w", "h"], fields[1...]) {
                guard let v = Double(text), v.isFinite else { throw bad(.notANumber(field: name, text: String(text))) }
                values.append(v)
            }
            for (name, v) in zip(["width", "height"], values[2...]) {
                if v < 0 { throw bad(.negativeSize(field: name, value: v)) }
                if v == 0 { throw bad(.zeroSize(field: name)) }
            }
            let tolerance = normalisedTolerance
            for (name, v) in zip(["cx", "cy", "w", "h"], values) where v < -tolerance || v > 1 + tolerance {
                throw bad(.notNormalised(field: name, value: v))
            }
            result.append(LabelLine(classIndex: classIndex, centerX: values[0], centerY: values[1], width: values[2], height: values[3]))
        }
        return result
    }
}

extension YOLOFolder.LabelLine {
    /// The box in pixels of an image of the given size, clipped to the image: a box reaching a
    /// hair past the border (rounded labels) keeps only its part inside. Nil if nothing is left.
    public func box(imageWidth: Int, imageHeight: Int) -> Box? {
        let w = Double(imageWidth), h = Double(imageHeight)
        let x0 = min(max((centerX - width / 2) * w, 0), w)
        let x1 = min(max((centerX + width / 2) * w, 0), w)
        let y0 = min(max((centerY - height / 2) * h, 0), h)
        let y1 = min(max((centerY + height / 2) * h, 0), h)
        guard x1 > x0, y1 > y0 else { return nil }
        return Box(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }
}
