/// Picture files of rendered images, scaled up so a person can look at them. Hand-written
/// encoders (PNG with stored deflate blocks, SVG) keep the World module free of dependencies.
public enum PictureFile {
    /// PNG bytes, each image pixel drawn as a `scale`×`scale` block, with a thin grid line so
    /// single pixels stay countable.
    public static func png(_ image: Image, scale: Int = 16) -> [UInt8] {
        let w = image.width * scale, h = image.height * scale
        var raw: [UInt8] = []
        raw.reserveCapacity((w * 3 + 1) * h)
        for y in 0..<h {
            raw.append(0) // filter: none
            for x in 0..<w {
                let grid = scale >= 8 && (x % scale == 0 || y % scale == 0)
                let (r, g, b) = image.rgb(x: x / scale, y: y / scale)
                for v in [r, g, b] { raw.append(grid ? UInt8(min(255, Int(v * 255) / 2 + 24)) : UInt8(max(0, min(255, Int((v * 255).rounded()))))) }
            }
        }
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var ihdr: [UInt8] = []
        ihdr += be32(UInt32(w)) + be32(UInt32(h))
        ihdr += [8, 2, 0, 0, 0] // 8-bit, RGB, deflate, no filter, no interlace
        chunk("IHDR", ihdr, into: &out)
        chunk("IDAT", zlibStored(raw), into: &out)
        chunk("IEND", [], into: &out)
        return out
    }

    /// An SVG with one rectangle per non-black pixel.
    public static func svg(_ image: Image, scale: Int = 16) -> String {
        let w = image.width * scale, h = image.height * scale
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\">\n"
        s += "<rect width=\"\(w)\" height=\"\(h)\" fill=\"#000\"/>\n"
        for y in 0..<image.height {
            for x in 0..<image.width {
                let (r, g, b) = image.rgb(x: x, y: y)
                if r == 0 && g == 0 && b == 0 { continue }
                s += "<rect x=\"\(x * scale)\" y=\"\(y * scale)\" width=\"\(scale)\" height=\"\(scale)\" fill=\"\(hex(r, g, b))\"/>\n"
            }
        }
        return s + "</svg>\n"
    }

    /// A coarse terminal view: one character per pixel (first letter of the nearest colour).
    public static func ascii(_ image: Image) -> String {
        var lines: [String] = []
        for y in 0..<image.height {
            var line = ""
            for x in 0..<image.width {
                let p = image.rgb(x: x, y: y)
                if p.0 == 0 && p.1 == 0 && p.2 == 0 { line += "."; continue }
                let c = Colour.allCases.min { d($0.rgb, p) < d($1.rgb, p) }!
                line += c == .grey ? "G" : c == .purple ? "P" : c == .pink ? "k" : c == .brown ? "n" : String(c.rawValue.first!)
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    private static func d(_ a: (Float, Float, Float), _ b: (Float, Float, Float)) -> Float {
        (a.0 - b.0) * (a.0 - b.0) + (a.1 - b.1) * (a.1 - b.1) + (a.2 - b.2) * (a.2 - b.2)
    }

    private static func hex(_ r: Float, _ g: Float, _ b: Float) -> String {
        let digits = Array("0123456789abcdef")
        return "#" + [r, g, b].map { v -> String in
            let n = max(0, min(255, Int((v * 255).rounded())))
            return String([digits[n / 16], digits[n % 16]])
        }.joined()
    }

    private static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    private static func chunk(_ type: String, _ data: [UInt8], into out: inout [UInt8]) {
        let typed = Array(type.utf8) + data
        out += be32(UInt32(data.count)) + typed + be32(crc32(typed))
    }

    /// zlib stream of stored (uncompressed) deflate blocks: valid PNG data without a compressor.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var i = 0
        repeat {
            let n = min(65535, data.count - i)
            let last: UInt8 = i + n == data.count ? 1 : 0
            out += [last, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[i..<(i + n)]
            i += n
        } while i < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for x in data { a = (a + UInt32(x)) % 65521; b = (b + a) % 65521 }
        return out + be32(b << 16 | a)
    }

    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for x in bytes { c = crcTable[Int((c ^ UInt32(x)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
