import XCTest
@testable import Detection

final class DatasetTests: XCTestCase {
    func testAnnotationAreaDefaultsToTheBoxArea() {
        let a = Annotation(id: 1, categoryID: 3, box: Box(x: 10, y: 20, width: 4, height: 8))
        XCTAssertEqual(a.area, 32)
        let b = Annotation(id: 2, categoryID: 3, box: Box(x: 0, y: 0, width: 4, height: 8), area: 20)
        XCTAssertEqual(b.area, 20)
        let dataset = DetectionDataset(images: [ImageRecord(id: 1, fileName: "a.jpg", width: 64, height: 48, annotations: [a, b])],
                                       categories: [Category(id: 3, name: "cat")])
        XCTAssertEqual(dataset.annotationCount, 2)
    }
}
