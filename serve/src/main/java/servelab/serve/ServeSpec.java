package servelab.serve;

import java.net.InetAddress;
import java.net.UnknownHostException;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The experiment file's {@code serve} section: where the server listens and its limits. Every key has a default.
 *
 * @param host          address to bind (default {@code 127.0.0.1}); any other needs {@code apiKey}
 * @param port          TCP port (default 8000; 0 picks a free one, written to {@code serve.port} in the run folder)
 * @param apiKey        clients must send {@code Authorization: Bearer KEY} on every route but {@code /health}
 * @param modelName     the model id clients name (default: the profile, or the GGUF file's name)
 * @param maxModelLen   longest prompt + output in tokens (default: what the executor and one replica's KV hold,
 *                      at most 8192 on the emulated executor)
 * @param maxBodyBytes  largest request body (default 1 MiB); larger ones get 413
 * @param maxPending    requests admitted and not finished, over all replicas (default 1024); beyond, 503
 * @param streamBuffer  tokens a stream buffers for a client that reads slowly (default 4096); beyond, the request is
 *                      cancelled rather than stall the engine
 * @param retryAfterS   the Retry-After of 429 and 503 answers, seconds (default 1)
 * @param writeTimeoutS seconds one write of a streamed answer may take (default 30): a client that stops reading
 *                      has its request cancelled and its connection closed then
 * @param otlpEndpoint  an OTLP/HTTP collector for request spans (e.g. {@code http://127.0.0.1:4318}); without one,
 *                      spans go to {@code traces.otlp.jsonl} in the run folder
 */
public record ServeSpec(String host, Integer port, String apiKey, String modelName, Integer maxModelLen,
                        Integer maxBodyBytes, Integer maxPending, Integer streamBuffer, Integer retryAfterS,
                        Integer writeTimeoutS, String otlpEndpoint) {
    public static final ServeSpec DEFAULTS = new ServeSpec(null, null, null, null, null, null, null, null, null, null,
            null);

    public ServeSpec {
        host = host == null ? "127.0.0.1" : host;
        port = port == null ? 8000 : port;
        if (port < 0 || port > 65535) throw new IllegalArgumentException("serve.port must be 0..65535, was " + port);
        if (apiKey != null && apiKey.isBlank()) throw new IllegalArgumentException("serve.api_key must not be blank");
        maxBodyBytes = positive("serve.max_body_bytes", maxBodyBytes, 1 << 20);
        maxPending = positive("serve.max_pending", maxPending, 1024);
        streamBuffer = positive("serve.stream_buffer", streamBuffer, 4096);
        retryAfterS = positive("serve.retry_after_s", retryAfterS, 1);
        writeTimeoutS = positive("serve.write_timeout_s", writeTimeoutS, 30);
        if (otlpEndpoint != null) servelab.otel.TraceExport.of(otlpEndpoint, java.nio.file.Path.of(".")); // checks the URL
        maxModelLen = positive("serve.max_model_len", maxModelLen, 0); // 0: what the model and the KV hold
        if (apiKey == null && !isLoopback(host)) {
            throw new IllegalArgumentException("serve.host " + host + " is not a loopback address: binding there needs "
                    + "serve.api_key (clients then send Authorization: Bearer KEY)");
        }
    }

    /** Reads the section (a missing node gives the defaults); unknown keys are errors naming them. */
    public static ServeSpec read(JsonNode node, String where) {
        if (node == null || node.isMissingNode() || node.isNull()) return DEFAULTS;
        if (!node.isObject()) throw new IllegalArgumentException(where + ": serve must be a mapping of keys to values");
        // as strictly as the experiment, and in its words ("serve.port must be a whole number, was 'abc'")
        return servelab.runtime.experiment.ExperimentFile.readSection(node, ServeSpec.class, "serve", where);
    }

    /** {@code value}, or {@code otherwise} when it was not given; a value written as 0 is refused like any other < 1. */
    private static int positive(String key, Integer value, int otherwise) {
        if (value == null) return otherwise;
        if (value < 1) throw new IllegalArgumentException(key + " must be > 0, was " + value);
        return value;
    }

    /** Whether {@code host} names only this machine (a literal loopback address or a name resolving to one). */
    static boolean isLoopback(String host) {
        try {
            for (var address : InetAddress.getAllByName(host)) if (!address.isLoopbackAddress()) return false;
            return true;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("serve.host " + host + " does not resolve");
        }
    }
}
