package servelab.load;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A small but real OpenAI-style server for the tests: the JDK's HTTP server on loopback answering
 * {@code POST /v1/completions} and {@code /v1/chat/completions} with {@code max_tokens} one-token chunks as
 * server-sent events ({@code data: {...}}, a blank line, a usage chunk when asked, {@code data: [DONE]}), paced by a
 * fixed time to first token and inter-token gap, and {@code GET /v1/models}. It counts words as tokens (the load
 * generator's approximate prompts are one word per token) and keeps every prompt it received.
 */
final class OpenAiSseServer implements AutoCloseable {
    record Received(String prompt, int maxTokens, boolean stream, boolean ignoreEos, long atNanos) {}

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpServer server;
    private final long ttftMillis;
    private final long itlMillis;
    private final int refuseEvery;
    final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    final AtomicInteger maxOpen = new AtomicInteger();
    private final AtomicInteger count = new AtomicInteger();

    /** {@code refuseEvery} > 0: every such request (1-based) is answered 429, as an overloaded server does. */
    static {
        // as servelab serve does: without TCP_NODELAY, Nagle plus the client's delayed ACK pairs tokens 40 ms apart
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    OpenAiSseServer(long ttftMillis, long itlMillis, int refuseEvery) throws IOException {
        this.ttftMillis = ttftMillis;
        this.itlMillis = itlMillis;
        this.refuseEvery = refuseEvery;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/completions", this::complete);
        server.createContext("/v1/chat/completions", this::complete);
        server.createContext("/v1/models", this::models);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void models(HttpExchange ex) throws IOException {
        try (ex) {
            send(ex, 200, "application/json", "{\"object\":\"list\",\"data\":[{\"id\":\"tiny-test\",\"object\":\"model\"}]}");
        }
    }

    private void complete(HttpExchange ex) throws IOException {
        int n = open.incrementAndGet();
        maxOpen.accumulateAndGet(n, Math::max);
        // a request counts as open until just before its answer's last bytes: once the client has them it may send
        // its next request while this handler is still closing the exchange, which counted one request too many
        var left = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable leaving = () -> {
            if (left.compareAndSet(false, true)) open.decrementAndGet();
        };
        try (ex) {
            JsonNode body = MAPPER.readTree(ex.getRequestBody());
            boolean chat = ex.getRequestURI().getPath().contains("chat");
            String prompt = chat ? body.get("messages").get(0).get("content").asText() : body.get("prompt").asText();
            int maxTokens = body.get("max_tokens").asInt();
            boolean stream = body.path("stream").asBoolean(false);
            received.add(new Received(prompt, maxTokens, stream, body.path("ignore_eos").asBoolean(false),
                    System.nanoTime()));
            if (refuseEvery > 0 && count.incrementAndGet() % refuseEvery == 0) {
                leaving.run();
                send(ex, 429, "application/json", "{\"error\":{\"message\":\"too many requests\",\"type\":\"overloaded\"}}");
                return;
            }
            int promptTokens = prompt.isBlank() ? 0 : prompt.strip().split(" +").length;
            if (stream) stream(ex, chat, promptTokens, maxTokens, body.path("stream_options").path("include_usage")
                    .asBoolean(false), leaving);
            else whole(ex, chat, promptTokens, maxTokens, leaving);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            leaving.run();
        }
    }

    private void stream(HttpExchange ex, boolean chat, int promptTokens, int maxTokens, boolean usage, Runnable leaving)
            throws IOException, InterruptedException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        Thread.sleep(ttftMillis);
        for (int i = 0; i < maxTokens; i++) {
            if (i > 0) Thread.sleep(itlMillis);
            String choice = chat ? "{\"index\":0,\"delta\":{\"content\":\" tok\"},\"finish_reason\":null}"
                    : "{\"index\":0,\"text\":\" tok\",\"finish_reason\":null}";
            event(out, "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[" + choice + "]}");
        }
        if (usage) {
            leaving.run();
            event(out, "{\"id\":\"cmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + promptTokens
                    + ",\"completion_tokens\":" + maxTokens + ",\"total_tokens\":" + (promptTokens + maxTokens) + "}}");
        }
        leaving.run();
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void whole(HttpExchange ex, boolean chat, int promptTokens, int maxTokens, Runnable leaving)
            throws IOException, InterruptedException {
        Thread.sleep(ttftMillis + itlMillis * (maxTokens - 1));
        String text = " tok".repeat(maxTokens);
        String choice = chat ? "{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"}}"
                : "{\"index\":0,\"text\":\"" + text + "\"}";
        leaving.run();
        send(ex, 200, "application/json", "{\"id\":\"cmpl-1\",\"choices\":[" + choice + "],\"usage\":{\"prompt_tokens\":"
                + promptTokens + ",\"completion_tokens\":" + maxTokens + "}}");
    }

    private static void event(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
