/// Scenes on a small RGB canvas, and the renderer that turns them into images.

/// One drawn object. `radius` is the half-extent in pixels; the look's size word is derived
/// from it, so existence questions can draw objects of any area.
public struct SceneObject: Hashable, Sendable, Codable {
    public var shape: Shape
    public var colour: Colour
    public var radius: Int
    /// Centre pixel (column, row); row 0 is the top.
    public var x: Int
    public var y: Int
    /// The named entity this object depicts, if any.
    public var entity: String?

    public init(shape: Shape, colour: Colour, radius: Int, x: Int, y: Int, entity: String? = nil) {
        self.shape = shape; self.colour = colour; self.radius = radius; self.x = x; self.y = y; self.entity = entity
    }

    public init(look: Look, x: Int, y: Int, entity: String? = nil) {
        self.init(shape: look.shape, colour: look.colour, radius: look.size.radius, x: x, y: y, entity: entity)
    }

    public var size: Size { radius <= 2 ? .small : radius <= 4 ? .medium : .large }
    public var look: Look { Look(shape, colour, size) }

    /// Whether the pixel at offset (dx, dy) from the centre belongs to the shape. Shapes are
    /// drawn on odd boxes (2r+1) so that even small ones stay distinguishable.
    func covers(dx: Int, dy: Int) -> Bool {
        let r = radius
        guard abs(dx) <= r, abs(dy) <= r else { return false }
        switch shape {
        case .square: return true
        case .circle: return 4 * (dx * dx + dy * dy) <= (2 * r + 1) * (2 * r + 1) - 4
        case .diamond: return abs(dx) + abs(dy) <= r
        case .triangle: return abs(dx) <= (dy + r + 1) / 2
        case .rectangle: return abs(dy) <= max(1, r / 2)
        }
    }
}

/// A bar of a bar chart.
public struct Bar: Hashable, Sendable, Codable {
    public var colour: Colour
    public var height: Int
    public init(colour: Colour, height: Int) { self.colour = colour; self.height = height }
}

/// Text drawn in the 3×5 pixel font; `text` holds letters and digits only.
public struct Label: Hashable, Sendable, Codable {
    public var text: String
    public var colour: Colour
    public var x: Int
    public var y: Int
    public init(text: String, colour: Colour, x: Int, y: Int) { self.text = text; self.colour = colour; self.x = x; self.y = y }
}

public struct Scene: Hashable, Sendable, Codable {
    public static let width = 16, height = 16

    public var objects: [SceneObject] = []
    /// A bar chart along the bottom edge, bars 2 pixels wide with 1-pixel gaps.
    public var bars: [Bar] = []
    public var labels: [Label] = []

    public init(objects: [SceneObject] = [], bars: [Bar] = [], labels: [Label] = []) {
        self.objects = objects; self.bars = bars; self.labels = labels
    }

    /// A blank canvas, for blind scores.
    public static let blank = Scene()

    public var isBlank: Bool { objects.isEmpty && bars.isEmpty && labels.isEmpty }

    /// Pixels drawn for the object at `index` (after later objects paint over it).
    public func visibleArea(ofObject index: Int) -> Int {
        let owner = ownerMap()
        return owner.filter { $0 == index }.count
    }

    /// Which object owns each pixel (-1 for none), objects painted in order; row-major like
    /// `Image.pixels`. Object-centred encoders can pool a region per object from it.
    public func ownerMap() -> [Int] {
        var owner = [Int](repeating: -1, count: Self.width * Self.height)
        for (i, o) in objects.enumerated() {
            let y0 = max(0, o.y - o.radius), y1 = min(Self.height - 1, o.y + o.radius)
            let x0 = max(0, o.x - o.radius), x1 = min(Self.width - 1, o.x + o.radius)
            guard y0 <= y1, x0 <= x1 else { continue }
            for y in y0...y1 {
                for x in x0...x1 where o.covers(dx: x - o.x, dy: y - o.y) {
                    owner[y * Self.width + x] = i
                }
            }
        }
        return owner
    }
}

/// An RGB image, row-major, three floats (0–1) per pixel: `pixels[(y * width + x) * 3 + c]`.
public struct Image: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public var pixels: [Float]

    public init(width: Int, height: Int, pixels: [Float]) {
        self.width = width; self.height = height; self.pixels = pixels
    }

    public func rgb(x: Int, y: Int) -> (Float, Float, Float) {
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }
}

public enum Renderer {
    public static func render(_ scene: Scene) -> Image {
        let w = Scene.width, h = Scene.height
        var px = [Float](repeating: 0, count: w * h * 3)
        func put(_ x: Int, _ y: Int, _ c: Colour) {
            guard x >= 0, x < w, y >= 0, y < h else { return }
            let (r, g, b) = c.rgb, i = (y * w + x) * 3
            px[i] = r; px[i + 1] = g; px[i + 2] = b
        }
        let owner = scene.ownerMap()
        for (i, o) in owner.enumerated() where o >= 0 { put(i % w, i / w, scene.objects[o].colour) }
        for (k, bar) in scene.bars.enumerated() {
            let x0 = 1 + 3 * k
            for y in max(0, h - bar.height)..<h { put(x0, y, bar.colour); put(x0 + 1, y, bar.colour) }
        }
        for label in scene.labels {
            for (k, ch) in label.text.enumerated() {
                guard let rows = PixelFont.glyph(ch) else { continue }
                for (dy, row) in rows.enumerated() {
                    for (dx, bit) in row.enumerated() where bit { put(label.x + 4 * k + dx, label.y + dy, label.colour) }
                }
            }
        }
        return Image(width: w, height: h, pixels: px)
    }
}

/// A 3×5 pixel font for digits and capital letters.
public enum PixelFont {
    static let rows: [Character: String] = [
        "0": "111101101101111", "1": "010110010010111", "2": "111001111100111", "3": "111001111001111",
        "4": "101101111001001", "5": "111100111001111", "6": "111100111101111", "7": "111001001010010",
        "8": "111101111101111", "9": "111101111001111",
        "A": "010101111101101", "B": "110101110101110", "C": "011100100100011", "D": "110101101101110",
        "E": "111100110100111", "F": "111100110100100", "G": "011100101101011", "H": "101101111101101",
        "I": "111010010010111", "J": "001001001101010", "K": "101101110101101", "L": "100100100100111",
        "M": "101111111101101", "N": "110101101101101", "O": "010101101101010", "P": "110101110100100",
        "Q": "010101101110011", "R": "110101110101101", "S": "011100010001110", "T": "111010010010010",
        "U": "101101101101111", "V": "101101101101010", "W": "101101111111101", "X": "101101010101101",
        "Y": "101101010010010", "Z": "111001010100111",
    ]

    /// Five rows of three pixels, or nil for a character the font lacks.
    public static func glyph(_ c: Character) -> [[Bool]]? {
        guard let bits = rows[Character(c.uppercased())] else { return nil }
        let b = bits.map { $0 == "1" }
        return (0..<5).map { Array(b[($0 * 3)..<($0 * 3 + 3)]) }
    }
}
