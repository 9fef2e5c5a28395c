package servelab.serve;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import servelab.runtime.engine.Replica;
import servelab.runtime.record.RequestRow;

/**
 * Answers one admitted request from its {@link TokenStream}: as server-sent events ({@code data: CHUNK}, then
 * {@code data: [DONE]}) or as one JSON object, in OpenAI's completion or chat shapes. A client that goes away
 * mid-stream (a write fails) has its request cancelled at once.
 */
final class Completions {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final LiveEngine engine;
    private final String model;
    private final boolean chat;
    private final CompletionRequest request;
    private final long id;
    private final TokenStream stream;
    private final long created = System.currentTimeMillis() / 1000;

    Completions(LiveEngine engine, String model, boolean chat, CompletionRequest request,
                LiveEngine.Accepted accepted) {
        this.engine = engine;
        this.model = model;
        this.chat = chat;
        this.request = request;
        this.id = accepted.id();
        this.stream = accepted.stream();
    }

    /** Waits for the whole output; the answer, or an {@link ApiError} when the request did not complete. */
    ObjectNode whole() throws InterruptedException {
        var text = new StringBuilder();
        while (true) {
            switch (stream.take(60_000)) {
                case null -> { }
                case TokenStream.Delta d -> text.append(d.text());
                case TokenStream.End end -> {
                    failIfNotCompleted(end.row());
                    text.append(end.text());
                    var reason = finishReason(end);
                    var choice = F.objectNode().put("index", 0);
                    if (chat) choice.set("message", F.objectNode().put("role", "assistant").put("content", text.toString()));
                    else choice.put("text", text.toString());
                    choice.putNull("logprobs");
                    choice.put("finish_reason", reason);
                    var body = envelope(chat ? "chat.completion" : "text_completion");
                    body.putArray("choices").add(choice);
                    body.set("usage", usage(end.row()));
                    return body;
                }
            }
        }
    }

    /**
     * Streams the output to {@code out} (response headers already sent). Returns when the request ended or the
     * client went away (then the request is cancelled).
     */
    void streamTo(OutputStream out) throws InterruptedException {
        try {
            if (chat) send(out, chunk(F.objectNode().put("role", "assistant").put("content", ""), null, null));
            while (true) {
                switch (stream.take(15_000)) {
                    case null -> comment(out); // a quiet queue: finds a client that left while its request waits
                    case TokenStream.Delta d -> {
                        if (!d.text().isEmpty()) send(out, textChunk(d.text()));
                    }
                    case TokenStream.End end -> {
                        finish(out, end);
                        return;
                    }
                }
            }
        } catch (DeadlineOutput.Stalled stalled) {
            engine.cancel(id, stalled.getMessage());
        } catch (IOException gone) {
            engine.cancel(id, "the client disconnected");
        }
    }

    private void finish(OutputStream out, TokenStream.End end) throws IOException {
        var row = end.row();
        if (!row.error().isEmpty()) {
            var e = notCompleted(row);
            var error = F.objectNode();
            error.putObject("error").put("message", e.getMessage()).put("type", e.type).put("param", e.param)
                    .put("code", e.code);
            send(out, error);
        } else {
            if (!end.text().isEmpty()) send(out, textChunk(end.text()));
            var reason = finishReason(end);
            send(out, chat ? chunk(F.objectNode(), null, reason) : chunk(null, "", reason));
            if (request.includeUsage()) {
                var last = envelope(chat ? "chat.completion.chunk" : "text_completion");
                last.putArray("choices");
                last.set("usage", usage(row));
                send(out, last);
            }
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private ObjectNode textChunk(String text) {
        return chat ? chunk(F.objectNode().put("content", text), null, null) : chunk(null, text, null);
    }

    /** One streamed chunk: chat's {@code delta} or the completion's {@code text}, and the finish reason, if any. */
    private ObjectNode chunk(ObjectNode chatDelta, String text, String finishReason) {
        var body = envelope(chat ? "chat.completion.chunk" : "text_completion");
        ArrayNode choices = body.putArray("choices");
        var choice = choices.addObject().put("index", 0);
        if (chat) choice.set("delta", chatDelta);
        else choice.put("text", text);
        choice.putNull("logprobs");
        if (finishReason == null) choice.putNull("finish_reason");
        else choice.put("finish_reason", finishReason);
        return body;
    }

    private void send(OutputStream out, ObjectNode body) throws IOException {
        out.write(("data: " + body + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void comment(OutputStream out) throws IOException {
        out.write(": waiting\n\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private ObjectNode envelope(String object) {
        var body = F.objectNode();
        body.put("id", engine.responseId(chat, id));
        body.put("object", object);
        body.put("created", created);
        body.put("model", model);
        return body;
    }

    /** OpenAI's usage, with the prompt tokens the prefix cache served ({@code cached_prefix_tokens} of the row). */
    private ObjectNode usage(RequestRow row) {
        var usage = F.objectNode().put("prompt_tokens", row.inputTokens()).put("completion_tokens", row.outputTokens())
                .put("total_tokens", row.inputTokens() + row.outputTokens());
        usage.putObject("prompt_tokens_details").put("cached_tokens", Math.max(0, row.cachedPrefixTokens()));
        return usage;
    }

    private String finishReason(TokenStream.End end) {
        return end.stopped() ? "stop" : "length";
    }

    private void failIfNotCompleted(RequestRow row) {
        if (!row.error().isEmpty()) throw notCompleted(row);
    }

    private static ApiError notCompleted(RequestRow row) {
        var error = row.error();
        if (error.startsWith(Replica.CANCELLED)) {
            return new ApiError(503, "server_error", "cancelled", null, "The request was cancelled: "
                    + error.substring(Replica.CANCELLED.length()));
        }
        return new ApiError(500, "server_error", "request_failed", null, "The request failed: " + error);
    }
}
