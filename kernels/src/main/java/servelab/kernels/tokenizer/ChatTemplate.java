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
            header(text, message.role()).append(message.content().strip()).append("<|eot_id|>");
        }
        if (addAssistantHeader) {
            header(text, "assistant");
        }
        return text.toString();
    }

    /** {@link #render}, encoded with the special tokens as special tokens. */
    public static int[] encode(Tokenizer tokenizer, List<Message> messages, boolean addAssistantHeader) {
        return tokenizer.encodeWithSpecials(render(messages, addAssistantHeader));
    }

    private static StringBuilder header(StringBuilder text, String role) {
        return text.append("<|start_header_id|>").append(role).append("<|end_header_id|>\n\n");
    }
}
