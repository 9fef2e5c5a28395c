package servelab.serve;

/**
 * An answer other than success, in OpenAI's shape: {@code {"error": {"message", "type", "param", "code"}}} with
 * its HTTP status; 429 and 503 carry {@code Retry-After}.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final String type;
    final String param;
    final String code;
    /** The server turned the request away (overload, admission), as opposed to ending one it had taken. */
    final boolean refusal;

    ApiError(int status, String type, String code, String param, String message) {
        this(status, type, code, param, message, false);
    }

    private ApiError(int status, String type, String code, String param, String message, boolean refusal) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.refusal = refusal;
    }

    static ApiError invalid(String param, String message) {
        return new ApiError(400, "invalid_request_error", null, param, message);
    }

    static ApiError unknownModel(String model, String served) {
        return new ApiError(404, "invalid_request_error", "model_not_found", "model",
                "The model '" + model + "' does not exist; this server serves '" + served + "'");
    }

    static ApiError tooLarge(int limit) {
        return new ApiError(413, "invalid_request_error", "request_too_large", null,
                "The request body is over " + limit + " bytes (serve.max_body_bytes)");
    }

    static ApiError unauthorized() {
        return new ApiError(401, "invalid_request_error", "invalid_api_key", null,
                "Missing or incorrect API key: send Authorization: Bearer KEY");
    }

    static ApiError notFound(String path) {
        return new ApiError(404, "invalid_request_error", "not_found", null, "No route " + path);
    }

    /** 405; {@code allowed} (the method the route takes) goes in {@code param} and the {@code Allow} header. */
    static ApiError methodNotAllowed(String method, String path, String allowed) {
        return new ApiError(405, "invalid_request_error", "method_not_allowed", allowed, method + " is not allowed on "
                + path + "; use " + allowed);
    }

    static ApiError refused(int status, String reason) {
        return switch (status) {
            case 429 -> new ApiError(429, "rate_limit_error", "rate_limit_exceeded", null, reason, true);
            case 500 -> new ApiError(500, "server_error", "internal_error", null, reason);
            default -> new ApiError(503, "server_error", "overloaded", null, reason, true);
        };
    }
}
