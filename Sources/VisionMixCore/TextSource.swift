/// The six pre-training text sources of the paper, which the miniature world generates and
/// the embedded trainer trains on; as data they are `SourceCatalogue.builtin`.
///
/// Their tag shares are the paper's classifier measurements (Table 4, shipped as
/// `data/reference/paper-source-tags.csv`); a mixture's reasoning and visual shares are the
/// mixture-weighted sums of these, exactly as the paper computes them.
public enum TextSource: String, CaseIterable, Codable, Sendable, Comparable {
    case webCrawl = "web_crawl"
    case encyclopedia
    case academia
    case literature
    case math
    case code

    /// Share (0–1) of the source's segments tagged reasoning-centric.
    public var reasoningShare: Double {
        switch self {
        case .webCrawl: 0.100
        case .encyclopedia: 0.034
        case .academia: 0.833
        case .literature: 0.091
        case .math: 0.929
        case .code: 0.973
        }
    }

    /// Share (0–1) of the source's segments tagged as describing the visual world.
    public var visualShare: Double {
        switch self {
        case .webCrawl: 0.269
        case .encyclopedia: 0.124
        case .academia: 0.053
        case .literature: 0.335
        case .math: 0.080
        case .code: 0.037
        }
    }

    public var name: String { rawValue }

    public static func < (a: TextSource, b: TextSource) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Looks a source up by name, accepting `-` for `_` and any letter case.
    public init?(name: String) {
        let key = name.lowercased().replacingOccurrences(of: "-", with: "_")
        guard let s = TextSource(rawValue: key) else { return nil }
        self = s
    }
}

/// Levenshtein distance, for suggestions in error messages.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count), cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[b.count]
}
