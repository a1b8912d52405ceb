import CompressNIO
import Hummingbird
import MemoryIngest
import NIOCore

/// `POST /v1/traces|logs|metrics` per the OTLP/HTTP spec: protobuf or JSON, optional gzip,
/// the response in the request's encoding, and 200 only once the rows are committed.
struct OTLPRoutes: Sendable {
    let receiver: OTLPReceiver
    let maxBodyBytes: Int

    func register(on router: Router<BasicRequestContext>) {
        for signal in OTLPReceiver.Signal.allCases {
            router.post("v1/\(signal.rawValue)") { request, context in
                await handle(signal, request, context)
            }
        }
    }

    private func handle(_ signal: OTLPReceiver.Signal, _ request: Request, _ context: BasicRequestContext) async -> Response {
        let contentType = request.headers[.contentType]?.split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        let encoding: OTLPReceiver.Encoding
        switch contentType {
        case "application/x-protobuf", "application/protobuf": encoding = .protobuf
        case "application/json": encoding = .json
        default:
            return failure(.unsupportedMediaType, "unsupported content type \(contentType.isEmpty ? "(none)" : contentType); use application/x-protobuf or application/json", .json)
        }

        var body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBodyBytes)
        } catch {
            return failure(.contentTooLarge, "request body exceeds \(maxBodyBytes) bytes", encoding)
        }
        switch request.headers[.contentEncoding]?.lowercased() {
        case nil, "identity": break
        case "gzip", "x-gzip":
            do {
                body = try body.decompress(with: .gzip(), maxSize: maxBodyBytes)
                // The inflater's limit is approximate (buffers round up), so check exactly.
                guard body.readableBytes <= maxBodyBytes else { throw CompressNIOError.bufferOverflow }
            } catch let error as CompressNIOError where error == .bufferOverflow {
                return failure(.contentTooLarge, "decompressed body exceeds \(maxBodyBytes) bytes", encoding)
            } catch {
                return failure(.badRequest, "invalid gzip body: \(error)", encoding)
            }
        case let other?:
            return failure(.unsupportedMediaType, "unsupported content encoding \(other); use gzip or none", encoding)
        }

        do {
            let outcome = try await receiver.receive(signal, encoding: encoding, body: Array(buffer: body))
            return Response(status: .ok, headers: [.contentType: mediaType(encoding)],
                            body: .init(byteBuffer: ByteBuffer(bytes: outcome.response)))
        } catch let failure as OTLPReceiver.DecodeFailure {
            return self.failure(.badRequest, failure.description, encoding)
        } catch let error as IngestError {
            context.logger.warning("OTLP export refused", metadata: ["error": "\(error)"])
            switch error.code {
            case .queueFull: return self.failure(.tooManyRequests, error.description, encoding, retryAfter: 1)
            case .shuttingDown: return self.failure(.serviceUnavailable, error.description, encoding, retryAfter: 5)
            case .commitFailed: return self.failure(.serviceUnavailable, error.description, encoding, retryAfter: 5)
            }
        } catch {
            return self.failure(.internalServerError, "\(error)", encoding)
        }
    }

    private func mediaType(_ encoding: OTLPReceiver.Encoding) -> String {
        encoding == .json ? "application/json" : "application/x-protobuf"
    }

    /// OTLP errors carry a google.rpc.Status in the request's encoding.
    private func failure(_ status: HTTPResponse.Status, _ message: String, _ encoding: OTLPReceiver.Encoding,
                         retryAfter: Int? = nil) -> Response {
        var headers: HTTPFields = [.contentType: mediaType(encoding)]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        let body = OTLPReceiver.status(code: Int32(grpcCode(status)), message: message, encoding: encoding)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private func grpcCode(_ status: HTTPResponse.Status) -> Int {
        switch status.code {
        case 400: 3  // INVALID_ARGUMENT
        case 413: 11 // OUT_OF_RANGE
        case 415: 3
        case 429: 8  // RESOURCE_EXHAUSTED
        case 503: 14 // UNAVAILABLE
        default: 13  // INTERNAL
        }
    }
}
