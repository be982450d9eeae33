import Foundation
import Hummingbird
import NIOCore
import Planner
import Store
import VisionMixCore

/// Every error a client sees: `{"error": {"message": ..., "field": ...}}` with a 4xx status.
/// Handlers throw domain errors freely; `APIError.from` is the one place that decides which
/// status each kind gets, so no input can fall through to a 500 by accident.
public struct APIError: Error, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    /// The request field at fault (`mix`, `constraints[1]`, `source`), when there is one.
    public var field: String?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) {
        self.status = status; self.message = message; self.field = field
    }

    public var description: String { "\(status.code) \(message)" + (field.map { " (\($0))" } ?? "") }

    /// What `Retry-After` says when the store is busy: a few seconds, short against an
    /// import's minute, so clients poll rather than give up.
    static let retryAfterSeconds = 5

    static func badRequest(_ m: String, field: String? = nil) -> APIError { APIError(.badRequest, m, field: field) }

    /// Maps a thrown error to what the client sees. `field` is the request field being read
    /// when it was thrown, if the caller knows it.
    static func from(_ error: Error, field: String? = nil) -> APIError {
        switch error {
        case let e as APIError:
            return e
        case let e where ResultStore.isContention(e):
            // Another process's write (an import, a sweep) holds the database: nothing was
            // stored, and the same request succeeds once it is done.
            var busy = APIError(.serviceUnavailable, StoreBusyError.message, field: nil)
            busy.headers[.retryAfter] = "\(retryAfterSeconds)"
            return busy
        case let e as MixtureError:
            return APIError(.badRequest, e.description, field: field ?? "mix")
        case let e as ImportError:
            return APIError(.badRequest, e.description, field: field ?? "body")
        case let e as LawLookupError:
            return APIError(.notFound, e.description, field: field ?? "source")
        case let e as PlannerError:
            switch e {
            case .unknownCategory: return APIError(.notFound, e.description, field: field)
            case .infeasible: return APIError(.unprocessableContent, e.description, field: field)
            default: return APIError(.badRequest, e.description, field: field)
            }
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, "the request body is too large", field: "body")
        case let e as HTTPError:
            return APIError(e.status, e.body ?? e.status.reasonPhrase)
        default:
            return APIError(.internalServerError, "internal error: \(error)")
        }
    }

    func response() -> Response {
        var r = Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body()))
        for h in headers { r.headers.append(h) }
        return r
    }

    /// `{"error": {"message", "field"}}`, also for an answer written below the router
    /// (`ParserErrorAnswer`).
    func body() -> ByteBuffer {
        struct Body: Encodable {
            struct Detail: Encodable {
                let message: String
                let field: String?
                func encode(to encoder: Encoder) throws {
                    // Explicit null, so every error has the same two keys.
                    var c = encoder.container(keyedBy: AnyKey.self)
                    try c.encode(message, forKey: AnyKey("message"))
                    try c.encode(field, forKey: AnyKey("field"))
                }
            }
            let error: Detail
        }
        let data = (try? JSON.encoder().encode(Body(error: .init(message: message, field: field))))
            ?? Data(#"{"error":{"message":"could not encode the response","field":null}}"#.utf8)
        return ByteBuffer(bytes: data)
    }
}

/// Runs `body`, attributing any error it throws to the request field `name`.
func field<T>(_ name: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch { throw APIError.from(error, field: name) }
}

/// JSON encoding shared by every route: the CLI's --json settings, compact.
enum JSON {
    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? encoder().encode(value)) ?? Data(#"{"error":{"message":"could not encode the response","field":null}}"#.utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func text(_ s: String, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: s)))
    }
}
