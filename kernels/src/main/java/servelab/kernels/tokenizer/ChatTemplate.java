package servelab.kernels.tokenizer;

import java.util.List;

/**
 * Llama 3's chat format (the Jinja template its GGUF files carry, rendered here without a template engine). Each
 * message is {@code <|start_header_id|>ROLE<|end_header_id|>\n\nCONTENT<|eot_id|>} with the content trimmed, after
 * one {@code <|begin_of_text|>}; a prompt for the model's reply ends with the assistant header.
 */
public final class ChatTemplate {
    /** One turn of a conversation. */
    public record Message(String role, String content) {
        public Message {
            if (role.isBlank() || role.contains("<|")) {
                throw new IllegalArgumentException("Message.role must be a plain name such as 'user', was '" + role + "'");
            }
        }

        public static Message system(String content) { return new Message("system", content); }
        public static Message user(String content) { return new Message("user", content); }
        public static Message assistant(String content) { return new Message("assistant", content); }
    }

    private ChatTemplate() {}

    /** The prompt text; with {@code addAssistantHeader}, ready for the model to write the assistant's reply. */
    public static String render(List<Message> messages, boolean addAssistantHeader) {
        var text = new StringBuilder("<|begin_of_text|>");
        for (var message : messages) {
            header(text, message.role()).append(trim(message.content())).append("<|eot_id|>");
        }
        if (addAssistantHeader) {
            header(text, "assistant");
        }
        return text.toString();
    }

    /**
     * The template's {@code | trim}: Jinja's, which is Python's {@code str.strip()}, so every character Python calls
     * whitespace goes, no-break spaces (U+00A0, U+202F) included, which Java's {@code strip()} keeps.
     */
    public static String trim(String content) {
        int start = 0, end = content.length();
        while (start < end && isPythonSpace(content.charAt(start))) start++;
        while (end > start && isPythonSpace(content.charAt(end - 1))) end--;
        return content.substring(start, end);
    }

    private static boolean isPythonSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /** {@link #render}, encoded with the special tokens as special tokens. */
    public static int[] encode(Tokenizer tokenizer, List<Message> messages, boolean addAssistantHeader) {
        return tokenizer.encodeWithSpecials(render(messages, addAssistantHeader));
    }

    private static StringBuilder header(StringBuilder text, String role) {
        return text.append("<|start_header_id|>").append(role).append("<|end_header_id|>\n\n");
    }
}
