import Foundation

/// Space-filling (maximin) order of points: each next point the one farthest from every point
/// already taken, so any first k of them spread over the region the points cover.
public enum SpaceFilling {
    /// Indices of `points` in farthest-first order, at most `limit` of them. Distances are
    /// Euclidean; a point is as far from the taken set as from its nearest member. With nothing
    /// `taken`, the first is the point nearest the centre of the simplex (every coordinate 1/d).
    public static func farthestFirst(_ points: [[Double]], taken: [[Double]] = [], limit: Int) -> [Int] {
        guard let d = points.first?.count, limit > 0 else { return [] }
        var order: [Int] = []
        var nearest: [Double]
        if taken.isEmpty {
            let centre = [Double](repeating: 1 / Double(d), count: d)
            order.append(points.indices.min { squared(points[$0], centre) < squared(points[$1], centre) }!)
            nearest = points.map { squared($0, points[order[0]]) }
        } else {
            nearest = points.map { p in taken.map { squared(p, $0) }.min()! }
        }
        while order.count < min(points.count, limit) {
            let next = points.indices.max { nearest[$0] < nearest[$1] }!
            order.append(next)
            for i in points.indices { nearest[i] = min(nearest[i], squared(points[i], points[next])) }
        }
        return order
    }

    /// The `count` points nearest `centre` (Euclidean), nearest first.
    public static func nearest(_ points: [[Double]], to centre: [Double], count: Int) -> [[Double]] {
        Array(points.map { (distance($0, centre), $0) }.sorted { $0.0 < $1.0 }.prefix(count).map(\.1))
    }

    /// The Euclidean distance between two points.
    public static func distance(_ x: [Double], _ y: [Double]) -> Double { squared(x, y).squareRoot() }

    static func squared(_ x: [Double], _ y: [Double]) -> Double {
        var s = 0.0
        for (a, b) in zip(x, y) { s += (a - b) * (a - b) }
        return s
    }
}
