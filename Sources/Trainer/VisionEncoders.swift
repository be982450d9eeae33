// Frozen vision encoders: an image (16×16 RGB) → P feature vectors of F floats, (P,F) row-major.
// They have no trainable parameters; the projector (Projector.swift) learns to read them.
//
// Two kinds, chosen by name, so encoder sensitivity can be studied:
//  - "patch": a fixed random two-layer network over 16 patches of 4×4 pixels (P=16), its
//    features standardised per dimension over a fixed reference set of images. The first
//    prototype learned nothing from raw random features (they barely varied between images);
//    standardising them is what makes them readable.
//  - "object": hand-designed, object-centred features. The image is cut into connected regions
//    of one colour (4-neighbour), and each region becomes one token (P=8 slots, left to right,
//    then top to bottom, empty slots all zero): its colour, area, centre, box, fill ratio and a
//    5×5 downsampled mask of its box (which is what tells shapes and glyphs apart).
import Foundation
import World

public protocol VisionEncoder: Sendable {
    var name: String { get }
    /// Visual tokens per image (P).
    var tokens: Int { get }
    /// Features per token (F).
    var features: Int { get }
    /// (P,F) features of one image.
    func encode(_ image: Image) -> [Float]
}

public enum VisionEncoders {
    public static let names = ["object", "patch"]
    public static let defaultName = "object"

    public static func named(_ name: String) -> VisionEncoder? {
        switch name.lowercased() {
        case "object": return ObjectEncoder()
        case "patch": return PatchEncoder.shared
        default: return nil
        }
    }
}

/// Fixed random patch network: patch (48) → tanh(W1·x) (32) → W2·h (24), then standardised.
public struct PatchEncoder: VisionEncoder {
    public let name = "patch"
    public let tokens = 16
    public let features = 24
    static let hidden = 32
    let w1: [Float], w2: [Float]
    /// Per-feature mean and 1/std over the reference images.
    var mean: [Float], invStd: [Float]

    public static let shared = PatchEncoder()

    init() {
        var rng = SplitMix64(seed: 0x9A7C_E0C0_DE)   // the same network for every run: it is part of the encoder's identity
        let inF = 48, H = Self.hidden, F = 24
        w1 = (0..<(H * inF)).map { _ in Float(rng.normal() / Double(inF).squareRoot() * 2) }
        w2 = (0..<(F * H)).map { _ in Float(rng.normal() / Double(H).squareRoot()) }
        mean = [Float](repeating: 0, count: F); invStd = [Float](repeating: 1, count: F)
        // Standardise over a fixed reference set of captioned scenes (every kind of picture).
        let reference = Captions.make(seed: 0x5CA1E, count: 300).map { Renderer.render($0.scene) }
        var sum = [Double](repeating: 0, count: F), sq = [Double](repeating: 0, count: F)
        var n = 0.0
        for img in reference {
            let f = raw(img)
            for p in 0..<tokens { for j in 0..<F { let v = Double(f[p * F + j]); sum[j] += v; sq[j] += v * v } }
            n += Double(tokens)
        }
        for j in 0..<F {
            let m = sum[j] / n, v = max(sq[j] / n - m * m, 1e-8)
            mean[j] = Float(m); invStd[j] = Float(1 / v.squareRoot())
        }
    }

    func raw(_ image: Image) -> [Float] {
        let H = Self.hidden, F = features
        var out = [Float](repeating: 0, count: tokens * F)
        var x = [Float](repeating: 0, count: 48), h = [Float](repeating: 0, count: H)
        for py in 0..<4 {
            for px in 0..<4 {
                var k = 0
                for y in 0..<4 { for xx in 0..<4 { for c in 0..<3 { x[k] = image.pixels[((py * 4 + y) * 16 + px * 4 + xx) * 3 + c]; k += 1 } } }
                for i in 0..<H {
                    var s: Float = 0
                    for j in 0..<48 { s += w1[i * 48 + j] * x[j] }
                    h[i] = tanh(s)
                }
                let p = py * 4 + px
                for i in 0..<F {
                    var s: Float = 0
                    for j in 0..<H { s += w2[i * H + j] * h[j] }
                    out[p * F + i] = s
                }
            }
        }
        return out
    }

    public func encode(_ image: Image) -> [Float] {
        var f = raw(image)
        for p in 0..<tokens { for j in 0..<features { f[p * features + j] = (f[p * features + j] - mean[j]) * invStd[j] } }
        return f
    }
}

/// Hand-designed object-centred features: one token per one-colour connected region.
public struct ObjectEncoder: VisionEncoder {
    public let name = "object"
    public let tokens = 8
    /// present, r, g, b, area, cx, cy, w, h, fill, left, top, then a 5×5 mask of the box.
    public let features = 12 + 25

    public init() {}

    public func encode(_ image: Image) -> [Float] {
        let W = image.width, H = image.height, F = features
        var label = [Int](repeating: -1, count: W * H)
        func colour(_ i: Int) -> (Float, Float, Float) { (image.pixels[i * 3], image.pixels[i * 3 + 1], image.pixels[i * 3 + 2]) }
        func lit(_ i: Int) -> Bool { let (r, g, b) = colour(i); return r + g + b > 0.05 }
        func same(_ a: Int, _ b: Int) -> Bool { let x = colour(a), y = colour(b); return abs(x.0 - y.0) + abs(x.1 - y.1) + abs(x.2 - y.2) < 0.02 }
        struct Region { var pixels: [Int] }
        var regions: [Region] = []
        for start in 0..<(W * H) where label[start] < 0 && lit(start) {
            var stack = [start], pix: [Int] = []
            label[start] = regions.count
            while let i = stack.popLast() {
                pix.append(i)
                let x = i % W, y = i / W
                for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)] where nx >= 0 && nx < W && ny >= 0 && ny < H {
                    let j = ny * W + nx
                    if label[j] < 0 && lit(j) && same(i, j) { label[j] = regions.count; stack.append(j) }
                }
            }
            regions.append(Region(pixels: pix))
        }
        // Largest regions first when there are more than P, then reading order.
        var kept = regions.indices.sorted { regions[$0].pixels.count > regions[$1].pixels.count }.prefix(tokens)
        func origin(_ r: Int) -> (Int, Int) { let p = regions[r].pixels; return (p.map { $0 % W }.min()!, p.map { $0 / W }.min()!) }
        kept = ArraySlice(kept.sorted { let a = origin($0), b = origin($1); return a.0 != b.0 ? a.0 < b.0 : a.1 < b.1 })
        var out = [Float](repeating: 0, count: tokens * F)
        for (slot, r) in kept.enumerated() {
            let p = regions[r].pixels
            let xs = p.map { $0 % W }, ys = p.map { $0 / W }
            let x0 = xs.min()!, x1 = xs.max()!, y0 = ys.min()!, y1 = ys.max()!
            let bw = x1 - x0 + 1, bh = y1 - y0 + 1
            let (cr, cg, cb) = colour(p[0])
            let o = slot * F
            out[o] = 1
            out[o + 1] = cr; out[o + 2] = cg; out[o + 3] = cb
            out[o + 4] = Float(p.count) / 64
            out[o + 5] = Float(xs.reduce(0, +)) / Float(p.count) / 15
            out[o + 6] = Float(ys.reduce(0, +)) / Float(p.count) / 15
            out[o + 7] = Float(bw) / 16; out[o + 8] = Float(bh) / 16
            out[o + 9] = Float(p.count) / Float(bw * bh)
            out[o + 10] = Float(x0) / 15; out[o + 11] = Float(y0) / 15
            // 5×5 mask: the share of each cell of the box that the region covers.
            var cells = [Float](repeating: 0, count: 25), area = [Float](repeating: 0, count: 25)
            let mine = Set(p)
            for y in y0...y1 {
                for x in x0...x1 {
                    let cx = min(4, (x - x0) * 5 / bw), cy = min(4, (y - y0) * 5 / bh)
                    area[cy * 5 + cx] += 1
                    if mine.contains(y * W + x) { cells[cy * 5 + cx] += 1 }
                }
            }
            for k in 0..<25 { out[o + 12 + k] = area[k] > 0 ? cells[k] / area[k] : 0 }
        }
        return out
    }
}
