package servelab.serve;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import servelab.kernels.tokenizer.ChatTemplate;
import servelab.runtime.exec.RequestSampling;

/**
 * A {@code /v1/completions} or {@code /v1/chat/completions} body, checked as vLLM checks it: every error is an
 * {@link ApiError} 400 naming the field. Fields OpenAI clients send that change nothing here (logprobs off,
 * {@code n} 1, ...) are accepted, and logprobs asked for are refused; unknown fields are ignored, as OpenAI's servers do.
 *
 * @param model       the model the client named (null: the served one)
 * @param promptIds   the prompt's token ids (chat: through the chat template)
 * @param maxTokens   output tokens at most
 * @param sampling    temperature, top_k, top_p, min_p (vLLM's) and seed as given (null when absent: the served run's)
 * @param stop        stop strings (at most 4 per OpenAI; vLLM takes more)
 * @param stream      answer with server-sent events
 * @param includeUsage {@code stream_options.include_usage}: a last chunk with the token counts
 * @param ignoreEos   run to {@code maxTokens} through end-of-text tokens (vLLM's extension)
 * @param tenant      {@code user}, else the {@code X-Session-Id} header: the trace's session
 */
record CompletionRequest(String model, int[] promptIds, int maxTokens, RequestSampling.Choice sampling, List<String> stop,
                         boolean stream, boolean includeUsage, boolean ignoreEos, String tenant) {


    static final ObjectMapper JSON = new ObjectMapper();

    /** Parses {@code body}; {@code chat} for the chat route. */
    static CompletionRequest parse(byte[] body, boolean chat, ServedTokens tokens, int maxModelLen, String session) {
        return parse(body, chat, tokens, maxModelLen, session, null);
    }

    /**
     * As {@link #parse(byte[], boolean, ServedTokens, int, String)}; a {@code model} other than {@code served} (when not
     * null) is a 404 before anything else is checked, as in vLLM (a bad max_tokens for an unknown model was a 400).
     */
    static CompletionRequest parse(byte[] body, boolean chat, ServedTokens tokens, int maxModelLen, String session,
                                   String served) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw ApiError.invalid(null, "The body is not valid JSON: " + e.getOriginalMessage()
                    + (loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")"));
        } catch (IOException e) {
            throw ApiError.invalid(null, "The body cannot be read: " + e.getMessage());
        }
        if (!(root instanceof ObjectNode o)) throw ApiError.invalid(null, "The body must be a JSON object");
        String model = optText(o, "model");
        if (served != null && model != null && !model.equals(served)) throw ApiError.unknownModel(model, served);
        int[] prompt = chat ? chatPrompt(o, tokens) : completionPrompt(o, tokens);
        if (prompt.length == 0) throw ApiError.invalid(chat ? "messages" : "prompt", "The prompt is empty");
        if (prompt.length >= maxModelLen) {
            throw ApiError.invalid(chat ? "messages" : "prompt", "This model's maximum context length is " + maxModelLen
                    + " tokens. However, your prompt has " + prompt.length + " tokens, leaving none for the completion.");
        }
        int maxTokens = maxTokens(o, chat, prompt.length, maxModelLen);
        var sampling = new RequestSampling.Choice(optNumber(o, "temperature", 0, 2), optInt(o, "top_k", -1, Integer.MAX_VALUE),
                optNumber(o, "top_p", Double.MIN_VALUE, 1), optNumber(o, "min_p", 0, 1), o.has("seed") && !o.get("seed").isNull()
                ? Long.valueOf(integer(o, "seed", Long.MIN_VALUE, Long.MAX_VALUE)) : null);
        optInt(o, "n", 1, 1); // one choice per request is served
        // asked-for logprobs were answered with "logprobs": null; a client that needs them must hear it cannot have them
        for (var field : new String[] {"logprobs", "top_logprobs"}) {
            var v = o.get(field);
            // completions' logprobs is a count, and 0 asks for the sampled tokens' own (vLLM returns them); chat's is a
            // flag, where 0 reads as false (as vLLM's pydantic reads it); top_logprobs: 0 asks nothing
            boolean zero = v != null && v.isNumber() && v.asDouble() == 0;
            boolean asked = v != null && !v.isNull() && !(v.isBoolean() && !v.booleanValue())
                    && !(zero && (chat || field.equals("top_logprobs")));
            if (asked) throw ApiError.invalid(field, field + " are not served by ServeLab (its engine keeps no token "
                    + "probabilities); leave " + field + " out");
        }
        refuseUnserved(o, chat);
        boolean stream = bool(o, "stream");
        boolean includeUsage = false;
        var options = o.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) throw ApiError.invalid("stream_options", "stream_options must be an object");
            if (!stream) throw ApiError.invalid("stream_options", "stream_options is only allowed with stream: true");
            includeUsage = bool((ObjectNode) options, "include_usage");
        }
        String user = optText(o, "user");
        String tenant = user != null && !user.isBlank() ? user : session != null && !session.isBlank() ? session : "default";
        return new CompletionRequest(model, prompt, maxTokens, sampling, stops(o), stream, includeUsage,
                bool(o, "ignore_eos"), tenant.length() > 256 ? tenant.substring(0, 256) : tenant);
    }

    /**
     * Fields of OpenAI's API that ServeLab does not serve, refused with a 400 when asked for (left out, null or
     * their neutral value are fine): a client that sends tools or a JSON schema, or a penalty, must not get plain
     * text as if they had been honoured. Penalties are checked for type and OpenAI's range first.
     */
    private static void refuseUnserved(ObjectNode o, boolean chat) {
        for (var key : new String[] {"presence_penalty", "frequency_penalty"}) {
            var penalty = optNumber(o, key, -2, 2);
            if (penalty != null && penalty != 0) throw unserved(key, "penalties are not applied by its sampler");
        }
        var repetition = optNumber(o, "repetition_penalty", Double.MIN_VALUE, Double.MAX_VALUE);
        if (repetition != null && repetition != 1) throw unserved("repetition_penalty", "penalties are not applied by its sampler");
        for (var key : new String[] {"tools", "functions", "logit_bias"}) {
            var v = o.get(key);
            if (v != null && !v.isNull() && !v.isEmpty()) throw unserved(key, "it has no tool calls or token biases");
        }
        for (var key : new String[] {"tool_choice", "function_call"}) {
            var v = o.get(key);
            if (v != null && !v.isNull() && !(v.isTextual() && v.asText().equals("none"))) {
                throw unserved(key, "it has no tool calls");
            }
        }
        var format = o.get("response_format");
        if (format != null && !format.isNull() && !"text".equals(format.path("type").asText())) {
            throw unserved("response_format", "it does not constrain output to JSON");
        }
        if (chat) return;
        if (bool(o, "echo")) throw unserved("echo", "it does not return the prompt");
        var bestOf = optInt(o, "best_of", 1, Integer.MAX_VALUE);
        if (bestOf != null && bestOf > 1) throw unserved("best_of", "it generates one sequence per request");
        var suffix = optText(o, "suffix");
        if (suffix != null && !suffix.isEmpty()) throw unserved("suffix", "it does not insert text");
    }

    private static ApiError unserved(String key, String why) {
        return ApiError.invalid(key, key + " is not served by ServeLab (" + why + "); leave " + key + " out");
    }

    private static int maxTokens(ObjectNode o, boolean chat, int promptTokens, int maxModelLen) {
        String key = chat && o.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        int room = maxModelLen - promptTokens;
        if (!o.hasNonNull(key)) return chat ? room : Math.min(16, room); // OpenAI's completion default is 16
        long asked = integer(o, key, Long.MIN_VALUE, Long.MAX_VALUE);
        if (asked < 1) throw ApiError.invalid(key, key + " must be at least 1, got " + asked);
        if (asked > room) {
            throw ApiError.invalid(key, "This model's maximum context length is " + maxModelLen + " tokens. However, "
                    + "you requested " + (promptTokens + asked) + " tokens (" + promptTokens + " in the prompt, " + asked
                    + " in the completion). Please reduce the length of the prompt or " + key + ".");
        }
        return (int) asked;
    }

    private static int[] completionPrompt(ObjectNode o, ServedTokens tokens) {
        var p = o.get("prompt");
        if (p == null || p.isNull()) throw ApiError.invalid("prompt", "prompt is required");
        if (p.isTextual()) return tokens.encode(text(p, "prompt"));
        if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) return tokens.encode(text(p.get(0), "prompt"));
        if (p.isArray() && !p.isEmpty() && p.get(0).isIntegralNumber()) {
            var ids = new int[p.size()];
            for (int i = 0; i < ids.length; i++) {
                var v = p.get(i);
                // a whole number written 2.0 is token 2, as vLLM's pydantic reads it; 6.7 was token 6
                boolean whole = v.isIntegralNumber() || v.isFloatingPointNumber() && v.asDouble() == Math.rint(v.asDouble());
                if (!whole || !v.canConvertToInt() || !tokens.isValidId(v.asInt())) {
                    throw ApiError.invalid("prompt", "prompt[" + i + "] is not a token id of this model: " + v);
                }
                ids[i] = v.asInt();
            }
            return ids;
        }
        throw ApiError.invalid("prompt", "prompt must be a string, a list of one string or a list of token ids "
                + "(batches of prompts are not served; send one request each)");
    }

    private static int[] chatPrompt(ObjectNode o, ServedTokens tokens) {
        var m = o.get("messages");
        if (m == null || !m.isArray() || m.isEmpty()) throw ApiError.invalid("messages", "messages must be a non-empty list");
        var messages = new ArrayList<ChatTemplate.Message>();
        for (int i = 0; i < m.size(); i++) {
            var message = m.get(i);
            var role = message.path("role");
            if (!role.isTextual() || role.asText().isBlank() || role.asText().contains("<|")) {
                throw ApiError.invalid("messages[" + i + "].role", "messages[" + i + "].role must be a plain name such as 'user'");
            }
            if (message.path("name").isTextual()) text(message.get("name"), "messages[" + i + "].name"); // not text: 400
            messages.add(new ChatTemplate.Message(text(role, "messages[" + i + "].role"), content(message.path("content"), i)));
        }
        return tokens.encodeChat(messages);
    }

    private static String content(JsonNode content, int i) {
        String param = "messages[" + i + "].content";
        if (content.isTextual()) return text(content, param);
        if (content.isNull() || content.isMissingNode()) return "";
        if (content.isArray()) { // [{"type": "text", "text": "..."}], joined by newlines as vLLM joins them
            var text = new java.util.StringJoiner("\n");
            for (var part : content) {
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ApiError.invalid(param, "only text content parts are served");
                }
                text.add(text(part.get("text"), param));
            }
            return text.toString();
        }
        throw ApiError.invalid("messages[" + i + "].content", "content must be a string or a list of text parts");
    }

    /**
     * A JSON string's text; one with an unpaired UTF-16 surrogate ({@code "\\ud800"}) is no text and is refused (it
     * was read as "?").
     */
    private static String text(JsonNode v, String param) {
        String text = v.asText();
        for (int k = 0; k < text.length(); k++) {
            char c = text.charAt(k);
            if (Character.isHighSurrogate(c) && k + 1 < text.length() && Character.isLowSurrogate(text.charAt(k + 1))) {
                k++;
            } else if (Character.isSurrogate(c)) {
                throw ApiError.invalid(param, param + " has an unpaired UTF-16 surrogate (\\u"
                        + Integer.toHexString(c) + " at character " + k + "), which is not text");
            }
        }
        return text;
    }

    private static List<String> stops(ObjectNode o) {
        var s = o.get("stop");
        if (s == null || s.isNull()) return List.of();
        var out = new ArrayList<String>();
        if (s.isTextual()) out.add(text(s, "stop"));
        else if (s.isArray()) for (var v : s) {
            if (!v.isTextual()) throw ApiError.invalid("stop", "stop must be a string or a list of strings");
            out.add(text(v, "stop[" + out.size() + "]"));
        }
        else throw ApiError.invalid("stop", "stop must be a string or a list of strings");
        if (out.stream().anyMatch(String::isEmpty)) throw ApiError.invalid("stop", "a stop string must not be empty");
        if (out.size() > 16) throw ApiError.invalid("stop", "at most 16 stop strings");
        return List.copyOf(out);
    }

    private static String optText(ObjectNode o, String key) {
        var v = o.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw ApiError.invalid(key, key + " must be a string");
        return v.asText();
    }

    private static boolean bool(ObjectNode o, String key) {
        var v = o.get(key);
        if (v == null || v.isNull()) return false;
        if (!v.isBoolean()) throw ApiError.invalid(key, key + " must be true or false");
        return v.asBoolean();
    }

    private static Double optNumber(ObjectNode o, String key, double min, double max) {
        var v = o.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isNumber() || !(v.asDouble() >= min && v.asDouble() <= max)) {
            throw ApiError.invalid(key, key + " must be a number in [" + (min == Double.MIN_VALUE ? "0 (excluded)" : min)
                    + ", " + max + "], got " + v);
        }
        return v.asDouble();
    }

    private static Integer optInt(ObjectNode o, String key, int min, int max) {
        if (!o.hasNonNull(key)) return null;
        return (int) integer(o, key, min, max);
    }

    private static long integer(ObjectNode o, String key, long min, long max) {
        var v = o.get(key);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw ApiError.invalid(key, key + " must be an integer" + (min == Long.MIN_VALUE ? "" : " in [" + min + ", "
                    + max + "]") + ", got " + v);
        }
        return v.asLong();
    }
}
