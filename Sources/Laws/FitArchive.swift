import Foundation

/// JSON for fits: sorted keys (stable diffs of exported fit files); non-finite numbers as
/// strings, since a diagnostic can legitimately be infinite.
public enum FitJSON {
    public static func encoder(pretty: Bool = true) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    public static func encode(_ r: FitResult, pretty: Bool = true) throws -> Data { try encoder(pretty: pretty).encode(r) }
    public static func decode(_ data: Data) throws -> FitResult { try decoder().decode(FitResult.self, from: data) }
}
