package servelab.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads an OpenAI-style response, one line at a time, as server-sent events ({@code data: {json}} lines, a blank line
 * between events, {@code data: [DONE]} at the end) or as one non-streaming JSON body. Knows both
 * {@code /v1/completions} ({@code choices[0].text}) and {@code /v1/chat/completions} ({@code choices[0].delta.content}
 * or {@code choices[0].message.content}), the {@code usage} object that {@code stream_options.include_usage} adds in
 * a last chunk, and an {@code error} object. Anything else a server sends is an error naming the line.
 *
 * <p>Not thread-safe: one parser per response. It holds no text, only counts.
 */
public final class StreamParser {
    /** Token counts reported by the server; {@code cachedTokens} is -1 when not reported. */
    public record Usage(int promptTokens, int completionTokens, int cachedTokens) {}

    /** What one line said. */
    public sealed interface Event {
        /** A chunk with {@code text} (empty for a role-only or usage-only chunk) and its usage, or null. */
        record Chunk(String text, Usage usage) implements Event {}
        /** {@code data: [DONE]}. */
        record Done() implements Event {}
        /** An {@code error} object, or a line that is not what an OpenAI-compatible server sends. */
        record Failure(String message) implements Event {}
        /** A comment, a blank line or an SSE field ServeLab does not need. */
        record Ignored() implements Event {}
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Event IGNORED = new Event.Ignored();
    private static final int MAX_QUOTED = 200;

    /** Parses one line of a streamed response (without its line end). */
    public Event line(String line) {
        if (line.isEmpty() || line.startsWith(":")) return IGNORED;
        if (!line.startsWith("data:")) {
            // event:, id:, retry: are valid SSE fields that OpenAI-style servers do not use for content
            return line.startsWith("event:") || line.startsWith("id:") || line.startsWith("retry:")
                    ? IGNORED : new Event.Failure("not a server-sent event line: " + quote(line));
        }
        String data = line.substring(line.length() > 5 && line.charAt(5) == ' ' ? 6 : 5);
        if (data.equals("[DONE]")) return new Event.Done();
        return json(data);
    }

    /** Parses one JSON object: a streamed chunk's data or a whole non-streaming body. */
    public Event json(String data) {
        JsonNode root;
        try {
            root = MAPPER.readTree(data);
        } catch (JsonProcessingException e) {
            return new Event.Failure("not JSON (" + e.getOriginalMessage() + "): " + quote(data));
        }
        if (root == null || !root.isObject()) return new Event.Failure("not a JSON object: " + quote(data));
        if (root.has("error")) return new Event.Failure("server error: " + errorMessage(root.get("error")));
        var choices = root.get("choices");
        String text = choices != null && choices.isArray() && !choices.isEmpty() ? text(choices.get(0)) : null;
        var usage = usage(root);
        if (usage == null && (choices == null || !choices.isArray())) {
            return new Event.Failure("neither choices nor usage nor error: " + quote(data));
        }
        return new Event.Chunk(text == null ? "" : text, usage);
    }

    /** The usage of a parsed chunk, or null when it has none (or it is not valid). */
    private static Usage usage(JsonNode root) {
        var u = root.get("usage");
        if (u == null || !u.isObject()) return null;
        int prompt = count(u.get("prompt_tokens"));
        int completion = count(u.get("completion_tokens"));
        if (prompt < 0 || completion < 0) return null;
        var details = u.get("prompt_tokens_details");
        int cached = details != null && details.isObject() ? count(details.get("cached_tokens")) : -1;
        return new Usage(prompt, completion, cached);
    }

    private static String text(JsonNode choice) {
        if (choice == null || !choice.isObject()) return null;
        var text = choice.get("text");
        if (text != null && text.isTextual()) return text.asText();
        for (String holder : new String[] {"delta", "message"}) {
            var h = choice.get(holder);
            if (h == null || !h.isObject()) continue;
            // a reasoning model's chunks carry reasoning_content first: tokens too (they were not chunks, so the
            // usage's tokens were spread over the content chunks alone, and TTFT started at the answer)
            var content = h.get("content");
            var reasoning = h.get("reasoning_content");
            String both = (reasoning != null && reasoning.isTextual() ? reasoning.asText() : "")
                    + (content != null && content.isTextual() ? content.asText() : "");
            if ((content != null && content.isTextual()) || (reasoning != null && reasoning.isTextual())) return both;
        }
        return null;
    }

    private static int count(JsonNode n) {
        return n != null && n.canConvertToInt() && n.isIntegralNumber() && n.asInt() >= 0 ? n.asInt() : -1;
    }

    private static String errorMessage(JsonNode error) {
        if (error.isObject() && error.get("message") != null) return quote(error.get("message").asText());
        return quote(error.toString());
    }

    private static String quote(String s) {
        return "'" + (s.length() > MAX_QUOTED ? s.substring(0, MAX_QUOTED) + "..." : s) + "'";
    }
}
