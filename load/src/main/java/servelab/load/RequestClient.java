package servelab.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Sends one OpenAI request and times its answer as a client sees it. Each call blocks its (virtual) thread: the
 * JDK's {@link HttpClient} on HTTP/1.1 keeps a pool of connections, and a thread per request reading its stream line
 * by line stamps every chunk the moment its line is complete, which is what vLLM's {@code bench serve} measures too.
 *
 * <p>Requests ask for exactly the trace's output length, as {@code vllm bench serve --ignore-eos} does:
 * {@code max_tokens} and {@code ignore_eos}, temperature 0, and for streams {@code stream_options.include_usage} so
 * the server reports its own token counts.
 */
final class RequestClient {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_ERROR_BODY = 300;

    private final HttpClient http;
    private final Endpoint endpoint;
    private final boolean stream;
    private final Duration timeout;

    RequestClient(Endpoint endpoint, boolean stream, Duration timeout) {
        this.endpoint = endpoint;
        this.stream = stream;
        this.timeout = timeout;
        // HTTP/1.1: what vLLM's and SGLang's servers speak; asking for HTTP/2 would add an h2c upgrade to every request
        // loaded now: under overload (no file descriptors left) loading a class for the first request can fail
        new StreamParser().line("data: [DONE]");
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(timeout).build();
    }

    /** One daemon thread that ends requests past their deadline. */
    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
            Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("servelab-load-deadline")
                    .unstarted(r));

    /** A request's deadline: interrupts its thread if it is still reading when the time is up, never after. */
    private static final class Deadline {
        private final Thread reader;
        private boolean done;
        private boolean expired;

        Deadline(Thread reader) {
            this.reader = reader;
        }

        synchronized void expire() {
            if (done) return;
            expired = true;
            reader.interrupt();
        }

        synchronized boolean expired() {
            return expired;
        }

        void finish() {
            synchronized (this) {
                done = true;
            }
            if (expired) Thread.interrupted(); // the interrupt was for the read, not for what the thread does next
        }
    }

    /** Sends {@code prompt} asking for {@code maxTokens} tokens; never throws, a failure is in the exchange. */
    Exchange send(String prompt, int maxTokens) {
        var ex = new Exchange();
        var request = HttpRequest.newBuilder(endpoint.requests()).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(prompt, maxTokens)));
        endpoint.apiKey().ifPresent(key -> request.header("Authorization", "Bearer " + key));
        ex.sentNanos = System.nanoTime();
        // the HTTP client's timeout ends at the response headers: a stream that stalls after them held its request,
        // and the whole run, forever; this deadline covers the body too (the reading thread is interrupted)
        var deadline = new Deadline(Thread.currentThread());
        var watchdog = WATCHDOG.schedule(deadline::expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
        try {
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (var body = response.body()) {
                if (response.statusCode() != 200) {
                    // 429 and 503 are the server refusing before any service (its admission, its bound, its stop):
                    // rejected, as the server's own rows have them; any other status failed
                    int status = response.statusCode();
                    ex.fail((status == 429 || status == 503 ? servelab.runtime.record.RequestRow.REJECTED_PREFIX : "")
                            + "HTTP " + status + ": " + excerpt(body));
                } else if (stream) {
                    readStream(body, ex);
                } else {
                    readWhole(body, ex);
                }
            }
        } catch (IOException | InterruptedException e) {
            if (deadline.expired()) {
                ex.fail("timed out: no whole answer within --timeout (" + timeout.toMillis() / 1000.0 + " s)");
            } else if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                ex.fail("interrupted");
            } else {
                // ConnectException's message is often null: "ConnectException: null" said nothing
                ex.fail(e instanceof java.net.ConnectException ? "cannot connect to " + endpoint.base()
                        + " (is the server still running?)" : e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            }
        } finally {
            watchdog.cancel(false);
            deadline.finish(); // after this the watchdog interrupts nothing; clear what it may have set
        }
        ex.endNanos = System.nanoTime();
        return ex;
    }

    private byte[] body(String prompt, int maxTokens) {
        ObjectNode body = MAPPER.createObjectNode().put("model", endpoint.model());
        switch (endpoint.api()) {
            case COMPLETIONS -> body.put("prompt", prompt);
            case CHAT -> body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        }
        body.put("max_tokens", maxTokens).put("ignore_eos", true).put("temperature", 0.0).put("stream", stream);
        if (stream) body.putObject("stream_options").put("include_usage", true);
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("a tree of strings and numbers always serializes", e);
        }
    }

    private static void readStream(InputStream body, Exchange ex) throws IOException {
        var parser = new StreamParser();
        var lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        boolean done = false;
        for (String line; !done && (line = lines.readLine()) != null; ) {
            long now = System.nanoTime();
            switch (parser.line(line)) {
                case StreamParser.Event.Chunk c -> {
                    if (!c.text().isEmpty()) ex.chunk(now);
                    if (c.usage() != null) ex.usage = c.usage();
                }
                case StreamParser.Event.Done d -> done = true;
                case StreamParser.Event.Failure f -> {
                    ex.fail(f.message());
                    done = true;
                }
                case StreamParser.Event.Ignored i -> { }
            }
        }
        if (!done) ex.fail("the stream ended without data: [DONE]");
    }

    private static void readWhole(InputStream body, Exchange ex) throws IOException {
        String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
        switch (new StreamParser().json(text)) {
            case StreamParser.Event.Chunk c -> {
                ex.usage = c.usage();
                // without usage, an answer with text counts as one token (it was 0, and dropped out of TTFT)
                if (c.usage() == null && !c.text().isEmpty()) ex.wholeAnswerTokens = 1;
            }
            case StreamParser.Event.Failure f -> ex.fail(f.message());
            case StreamParser.Event.Done d -> ex.fail("unexpected [DONE] in a non-streaming answer");
            case StreamParser.Event.Ignored i -> ex.fail("empty answer");
        }
    }

    private static String excerpt(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(MAX_ERROR_BODY);
        return new String(bytes, StandardCharsets.UTF_8).strip();
    }

    /** The first model the server lists, for runs that do not name one. */
    static String firstModel(Endpoint endpoint, Duration timeout) throws IOException, InterruptedException {
        try (var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build()) {
            var request = HttpRequest.newBuilder(endpoint.models()).timeout(timeout).GET();
            endpoint.apiKey().ifPresent(key -> request.header("Authorization", "Bearer " + key));
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.net.http.HttpTimeoutException e) { // accepted, never answered (connect timeouts are below)
                if (e instanceof java.net.http.HttpConnectTimeoutException) {
                    throw new IOException("cannot connect to " + endpoint.models() + " (no server listening there?) to "
                            + "ask for its model; give --model to skip the question", e);
                }
                throw new IOException("GET " + endpoint.models() + " got no answer within --timeout ("
                        + timeout.toMillis() / 1000.0 + " s) to the question of its model; give --model to skip it", e);
            } catch (java.net.ConnectException e) {
                // the JDK's message is "ConnectException: ClosedChannelException", which names neither URL nor why
                throw new IOException("cannot connect to " + endpoint.models() + " (no server listening there?) to ask "
                        + "for its model; give --model to skip the question", e);
            }
            var root = response.statusCode() == 200 ? MAPPER.readTree(response.body()) : null;
            var data = root == null ? null : root.get("data");
            if (data == null || !data.isArray() || data.isEmpty() || !data.get(0).has("id")) {
                throw new IOException("GET " + endpoint.models() + " gave HTTP " + response.statusCode()
                        + " without a model id; give --model");
            }
            return data.get(0).get("id").asText();
        }
    }
}
