/// Objects, looks and the named entities of the miniature world.

public enum Shape: String, CaseIterable, Sendable, Codable {
    case circle, square, triangle, rectangle, diamond
}

public enum Colour: String, CaseIterable, Sendable, Codable {
    case red, orange, yellow, green, blue, purple, pink, brown, white, grey

    /// sRGB in 0–1. Chosen far apart so a tiny frozen encoder can tell them apart; there is no
    /// black because the canvas background is black.
    public var rgb: (Float, Float, Float) {
        switch self {
        case .red: (0.90, 0.10, 0.10)
        case .orange: (1.00, 0.55, 0.00)
        case .yellow: (1.00, 0.95, 0.10)
        case .green: (0.10, 0.75, 0.20)
        case .blue: (0.15, 0.35, 1.00)
        case .purple: (0.60, 0.15, 0.80)
        case .pink: (1.00, 0.55, 0.75)
        case .brown: (0.55, 0.30, 0.10)
        case .white: (1.00, 1.00, 1.00)
        case .grey: (0.50, 0.50, 0.50)
        }
    }
}

public enum Size: String, CaseIterable, Sendable, Codable, Comparable {
    case small, medium, large

    /// Half-extent in pixels on the 16×16 canvas.
    public var radius: Int {
        switch self {
        case .small: 2
        case .medium: 3
        case .large: 5
        }
    }

    public static func < (a: Size, b: Size) -> Bool { a.radius < b.radius }
}

/// What a thing looks like: the words "a small yellow circle".
public struct Look: Hashable, Sendable, Codable {
    public var shape: Shape
    public var colour: Colour
    public var size: Size
    public init(_ shape: Shape, _ colour: Colour, _ size: Size) {
        self.shape = shape; self.colour = colour; self.size = size
    }
    public var phrase: String { "\(size.rawValue) \(colour.rawValue) \(shape.rawValue)" }
}

/// Which half of the entities a thing belongs to. Adaptation entities may appear in visual
/// instruction tuning; held-out entities are only ever described in text, and knowledge
/// questions test them — so naming one from its picture needs what pre-training text said.
public enum EntityHalf: String, Sendable, Codable { case adaptation, heldOut = "held_out" }

public struct Entity: Hashable, Sendable, Codable {
    public let name: String
    public let look: Look
    /// What kind of thing it is (fruit, tool, animal ...).
    public let kind: String
    /// One property word (sour, heavy, fast ...).
    public let trait: String
    /// Where it is usually found.
    public let place: String
    public let half: EntityHalf
}

public enum Entities {
    public static let kinds = ["fruit", "vegetable", "animal", "tool", "vehicle", "toy", "furniture", "food"]

    // (name, shape, colour, size, trait, place) per kind; within a kind the halves alternate so
    // every kind has three entities in each half.
    private typealias Row = (String, Shape, Colour, Size, String, String)
    private static let table: [(String, [Row])] = [
        ("fruit", [("lemon", .circle, .yellow, .small, "sour", "kitchen"), ("cherry", .circle, .red, .small, "sweet", "garden"),
                   ("plum", .circle, .purple, .small, "juicy", "garden"), ("melon", .circle, .green, .large, "juicy", "farm"),
                   ("banana", .rectangle, .yellow, .medium, "soft", "shop"), ("peach", .circle, .pink, .medium, "sweet", "farm")]),
        ("vegetable", [("carrot", .triangle, .orange, .medium, "crunchy", "garden"), ("pea", .circle, .green, .small, "sweet", "garden"),
                       ("pumpkin", .circle, .orange, .large, "heavy", "farm"), ("beet", .circle, .purple, .medium, "hard", "farm"),
                       ("onion", .circle, .white, .medium, "sharp", "kitchen"), ("potato", .circle, .brown, .medium, "hard", "shop")]),
        ("animal", [("frog", .square, .green, .small, "wet", "river"), ("mouse", .triangle, .grey, .small, "quiet", "house"),
                    ("pig", .square, .pink, .medium, "loud", "farm"), ("bear", .square, .brown, .large, "wild", "forest"),
                    ("swan", .triangle, .white, .large, "quiet", "river"), ("fox", .triangle, .orange, .small, "fast", "forest")]),
        ("tool", [("hammer", .rectangle, .grey, .medium, "heavy", "shed"), ("nail", .rectangle, .grey, .small, "sharp", "shed"),
                  ("axe", .triangle, .grey, .medium, "sharp", "forest"), ("shovel", .rectangle, .brown, .medium, "heavy", "garden"),
                  ("drill", .diamond, .yellow, .medium, "loud", "shed"), ("saw", .diamond, .blue, .large, "sharp", "shed")]),
        ("vehicle", [("bus", .rectangle, .yellow, .large, "slow", "street"), ("taxi", .square, .yellow, .medium, "fast", "street"),
                     ("boat", .triangle, .blue, .medium, "slow", "river"), ("truck", .rectangle, .red, .large, "loud", "street"),
                     ("bike", .diamond, .green, .medium, "fast", "park"), ("tram", .rectangle, .green, .large, "slow", "street")]),
        ("toy", [("ball", .circle, .blue, .medium, "soft", "park"), ("kite", .diamond, .red, .medium, "light", "park"),
                 ("doll", .square, .pink, .small, "soft", "house"), ("drum", .circle, .red, .large, "loud", "school"),
                 ("top", .triangle, .purple, .small, "fast", "school"), ("block", .square, .blue, .small, "hard", "school")]),
        ("furniture", [("bed", .rectangle, .white, .large, "soft", "house"), ("sofa", .rectangle, .purple, .large, "soft", "house"),
                       ("lamp", .triangle, .yellow, .large, "warm", "house"), ("clock", .circle, .white, .large, "quiet", "school"),
                       ("shelf", .rectangle, .brown, .large, "heavy", "shop"), ("chair", .square, .brown, .medium, "hard", "kitchen")]),
        ("food", [("cheese", .triangle, .yellow, .medium, "soft", "kitchen"), ("bread", .square, .brown, .small, "warm", "shop"),
                  ("egg", .circle, .white, .small, "light", "farm"), ("cake", .square, .white, .medium, "sweet", "kitchen"),
                  ("cookie", .circle, .brown, .small, "crunchy", "shop"), ("jam", .square, .red, .medium, "sweet", "kitchen")]),
    ]

    public static let all: [Entity] = table.flatMap { kind, rows in
        rows.enumerated().map { i, r in
            Entity(name: r.0, look: Look(r.1, r.2, r.3), kind: kind, trait: r.4, place: r.5,
                   half: i % 2 == 0 ? .adaptation : .heldOut)
        }
    }
    public static let adaptation = all.filter { $0.half == .adaptation }
    public static let heldOut = all.filter { $0.half == .heldOut }
    public static let traits = Array(Set(all.map(\.trait))).sorted()
    public static let places = Array(Set(all.map(\.place))).sorted()

    public static func named(_ name: String) -> Entity? { all.first { $0.name == name } }
}
