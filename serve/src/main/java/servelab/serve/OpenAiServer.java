package servelab.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The OpenAI-compatible HTTP front: {@code POST /v1/completions} and {@code /v1/chat/completions},
 * {@code GET /v1/models}, {@code /health}, {@code /metrics}. The JDK's server, one virtual thread per exchange:
 * a handler parses, tokenizes, hands the request to the engine's intake and then only waits on its bounded stream.
 * With {@code serve.api_key} set, every route but {@code /health} needs {@code Authorization: Bearer KEY}, compared
 * in constant time.
 */
final class OpenAiServer implements AutoCloseable {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** The JDK server's switch for TCP_NODELAY on accepted connections; read once, when its first server starts. */
    static final String NODELAY = "sun.net.httpserver.nodelay";

    static {
        // The JDK's server leaves Nagle's algorithm on: a token event written a few ms after the last one waits for
        // the client's delayed ACK (40 ms on Linux), and a client measures ITLs no engine produced (bursts of two
        // tokens 40 ms apart). A user's explicit -D setting wins.
        if (System.getProperty(NODELAY) == null) System.setProperty(NODELAY, "true");
    }

    private final HttpServer http;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final ServeSpec spec;
    private final LiveEngine engine;
    private final ServedTokens tokens;
    private final ServeMetrics metrics;
    private final String model;
    private final int maxModelLen;
    private final byte[] key;
    private final BrowserGuard guard;

    private static final String MAX_IDLE = "sun.net.httpserver.maxIdleConnections";
    private static final String MAX_CONNECTIONS = "jdk.httpserver.maxConnections";
    private static final String MAX_REQUEST_TIME = "sun.net.httpserver.maxReqTime";
    /** Seconds a client may take to send a request (line, headers and body), unless the JVM was told otherwise. */
    static final int REQUEST_TIME_S = 30;

    OpenAiServer(ServeSpec spec, LiveEngine engine, ServedTokens tokens, ServeMetrics metrics, String model,
                 int maxModelLen) throws IOException {
        this.spec = spec;
        this.engine = engine;
        this.tokens = tokens;
        this.metrics = metrics;
        this.model = model;
        this.maxModelLen = maxModelLen;
        this.key = spec.apiKey() == null ? null : ("Bearer " + spec.apiKey()).getBytes(StandardCharsets.UTF_8);
        // The JDK's server bounds nothing by default: a client that sent half a request was never timed out, and
        // 20,000 of them (no API key needed) used every file descriptor until nobody was answered (the accept loop
        // spun, 2.3 GB resident). So: a request read within REQUEST_TIME_S, and at most maxConnections open, short
        // of the process's file descriptors (the next ones are closed at once, unanswered: the JDK's way; a cap of
        // 4 x max_pending let 4,096 idle sockets lock everyone out, and the OpenAI Node SDK hung on the close).
        // Idle keep-alive connections may be as many as the open ones: past its own limit of 200 the JDK closed them
        // without a word, and a client pool of 300 lost the requests it then sent on them (no answer, no row).
        // (Read once, when the JDK's server is first made; a value the user set stays.)
        int connections = connectionCap();
        setIfUnset(MAX_CONNECTIONS, connections);
        setIfUnset(MAX_IDLE, connections);
        setIfUnset(MAX_REQUEST_TIME, REQUEST_TIME_S);
        this.guard = new BrowserGuard(ServeSpec.isLoopback(spec.host()), spec.host());
        this.http = HttpServer.create(new InetSocketAddress(spec.host(), spec.port()), 1024);
        http.setExecutor(threads);
        http.createContext("/", this::handle);
        http.start();
    }

    /** 16,384 connections (about 2 GB of buffers), fewer where the file descriptors would run out first. */
    static int connectionCap() {
        long cap = 16_384;
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            cap = Math.min(cap, unix.getMaxFileDescriptorCount() - 512); // the run's files, sockets, jars
        }
        return (int) Math.max(64, cap);
    }

    private static void setIfUnset(String property, int value) {
        if (System.getProperty(property) == null) System.setProperty(property, Integer.toString(value));
    }

    /** The port the server listens on (the one asked for, or the free one picked for port 0). */
    int port() {
        return http.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                try {
                    route(exchange);
                } catch (ApiError e) {
                    throw e;
                } catch (RuntimeException e) { // a bug, not the client's fault: say so in the API's shape
                    throw new ApiError(500, "server_error", "internal_error", null, "internal error: " + e);
                }
            } catch (ApiError e) {
                if (e.refusal) metrics.refused(e.status); // not a request cancelled once it was in
                if (e.status == 429 || e.status == 503) {
                    exchange.getResponseHeaders().set("Retry-After", Integer.toString(spec.retryAfterS()));
                }
                if (e.status == 405) exchange.getResponseHeaders().set("Allow", e.param);
                var body = F.objectNode();
                body.putObject("error").put("message", e.getMessage()).put("type", e.type).put("param", e.param)
                        .put("code", e.code);
                json(exchange, e.status, body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException, InterruptedException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        guard.check(exchange);
        if (path.equals("/health")) {
            if (!method.equals("HEAD")) require(method, "GET", path); // probes ask with HEAD too (RFC 9110 9.1)
            var failure = engine.failure();
            if (failure != null) throw new ApiError(503, "server_error", "engine_stopped", null, failure.getMessage());
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        authorize(exchange);
        switch (path) {
            case "/v1/models" -> {
                require(method, "GET", path);
                json(exchange, 200, models());
            }
            case "/metrics" -> {
                require(method, "GET", path);
                var out = new ByteArrayOutputStream();
                metrics.write(out);
                exchange.getResponseHeaders().set("Content-Type", metrics.contentType());
                exchange.sendResponseHeaders(200, out.size());
                exchange.getResponseBody().write(out.toByteArray());
            }
            case "/v1/completions" -> complete(exchange, false);
            case "/v1/chat/completions" -> complete(exchange, true);
            default -> throw ApiError.notFound(path);
        }
    }

    /** The client's W3C trace context headers that it sent, by their lower-case names. */
    private static java.util.Map<String, String> traceContext(HttpExchange exchange) {
        var context = new java.util.HashMap<String, String>();
        for (var name : new String[] {"traceparent", "tracestate"}) {
            var value = exchange.getRequestHeaders().getFirst(name);
            if (value != null) context.put(name, value);
        }
        return context;
    }

    private void complete(HttpExchange exchange, boolean chat) throws IOException, InterruptedException {
        require(exchange.getRequestMethod(), "POST", exchange.getRequestURI().getPath());
        var body = body(exchange);
        var request = CompletionRequest.parse(body, chat, tokens, maxModelLen,
                exchange.getRequestHeaders().getFirst("X-Session-Id"), model);
        var outcome = engine.submit(new LiveEngine.Ask(request.promptIds(), request.maxTokens(), request.tenant(),
                request.stop(), request.ignoreEos(),
                traceContext(exchange), request.sampling(), request.stream(), chat));
        var accepted = switch (outcome) {
            case LiveEngine.Refused r -> throw ApiError.refused(r.status(), r.reason());
            case LiveEngine.Accepted a -> a;
        };
        var answer = new Completions(engine, model, chat, request, accepted);
        if (!request.stream()) {
            json(exchange, 200, answer.whole());
            return;
        }
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", "text/event-stream; charset=utf-8");
        headers.set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        exchange.getResponseBody().flush(); // the headers now, not with the first token: the client knows it is in
        answer.streamTo(new DeadlineOutput(exchange.getResponseBody(), spec.writeTimeoutS()));
    }

    private ObjectNode models() {
        var list = F.objectNode().put("object", "list");
        list.putArray("data").addObject().put("id", model).put("object", "model")
                .put("created", System.currentTimeMillis() / 1000).put("owned_by", "servelab").put("root", model)
                .put("max_model_len", maxModelLen);
        return list;
    }

    /** The body, refusing one over {@code serve.max_body_bytes} before reading more than that. */
    private byte[] body(HttpExchange exchange) throws IOException {
        int limit = spec.maxBodyBytes();
        var length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > limit) throw ApiError.tooLarge(limit);
            } catch (NumberFormatException e) {
                throw ApiError.invalid(null, "Content-Length is not a number");
            }
        }
        InputStream in = exchange.getRequestBody();
        var bytes = in.readNBytes(limit + 1);
        if (bytes.length > limit) throw ApiError.tooLarge(limit);
        return bytes;
    }

    private void authorize(HttpExchange exchange) {
        if (key == null) return;
        var given = exchange.getRequestHeaders().getFirst("Authorization");
        // the scheme is case-insensitive (RFC 9110 11.1); MessageDigest.isEqual takes time independent of where the
        // first difference is
        if (given != null && given.regionMatches(true, 0, "Bearer ", 0, 7)) given = "Bearer " + given.substring(7);
        if (given == null || !MessageDigest.isEqual(key, given.getBytes(StandardCharsets.UTF_8))) {
            throw ApiError.unauthorized();
        }
    }

    private static void require(String method, String expected, String path) {
        if (!method.equals(expected)) throw ApiError.methodNotAllowed(method, path, expected);
    }

    private static void json(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        var bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (exchange.getRequestMethod().equals("HEAD")) { // no body: a length logged a JDK warning on the console
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** Stops listening; exchanges in progress get a moment to end. */
    @Override
    public void close() {
        http.stop(1);
        threads.shutdownNow();
    }
}
