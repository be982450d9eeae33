import Foundation
import Testing

/// The committed fits of the shipped reference data must stay readable JSON with the keys the
/// CLI promises (category, family, parameters, train.rmse, cv.mae).
@Test func committedFitsHaveTheDocumentedShape() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let dir = root.appendingPathComponent("fits/paper_scaling")
    let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.filter { $0.hasSuffix(".json") } ?? []
    #expect(files.count >= 3)
    for f in files {
        let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(f))) as? [String: Any]
        #expect(obj?["category"] is String)
        #expect(obj?["family"] is String)
        #expect(obj?["parameters"] is [String: Any])
        #expect((obj?["train"] as? [String: Any])?["rmse"] != nil)
        #expect((obj?["cv"] as? [String: Any])?["mae"] != nil)
    }
}
