package servelab.serve;

import java.util.List;

import servelab.kernels.tokenizer.ChatTemplate;
import servelab.kernels.tokenizer.Tokenizer;

/**
 * A GGUF model's Llama 3 tokenizer. Completion prompts get {@code <|begin_of_text|>} first, as vLLM adds it, and
 * special-token text in them stands for the special token, as Hugging Face tokenizers read it in vLLM (a prompt
 * rendered with the chat template beforehand is the chat route's tokens; it was 75 tokens of literal text, not 20).
 * Chat messages follow Llama 3's template ({@link ChatTemplate}), but there the special tokens come only from the
 * template: a message that contains the text {@code <|eot_id|>} is encoded as that text, so a client cannot forge
 * turns. A model without the template's header tokens refuses chat requests with a 400, as vLLM does a model
 * without a chat template.
 * Generation ends at the vocabulary's end-of-text token and at {@code <|eot_id|>} (an instruct model's end of turn).
 */
public final class LlamaTokens implements ServedTokens {
    private final Tokenizer tokenizer;
    private final int endOfTurn;

    public LlamaTokens(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.endOfTurn = tokenizer.id("<|eot_id|>").orElse(tokenizer.eos());
    }

    @Override
    public int[] encode(String prompt) {
        var text = tokenizer.encodeWithSpecials(prompt);
        var ids = new int[text.length + 1];
        ids[0] = tokenizer.bos();
        System.arraycopy(text, 0, ids, 1, text.length);
        return ids;
    }

    @Override
    public int[] encodeChat(List<ChatTemplate.Message> messages) {
        var out = new IntBuffer();
        out.add(tokenizer.bos());
        for (var message : messages) {
            header(out, message.role());
            out.addAll(tokenizer.encode(ChatTemplate.trim(message.content())));
            out.add(endOfTurn);
        }
        header(out, "assistant");
        return out.toArray();
    }

    private void header(IntBuffer out, String role) {
        out.add(special("<|start_header_id|>"));
        out.addAll(tokenizer.encode(role));
        out.add(special("<|end_header_id|>"));
        out.addAll(tokenizer.encode("\n\n"));
    }

    private int special(String token) {
        return tokenizer.id(token).orElseThrow(() -> ApiError.invalid("messages", "This model has no Llama 3 chat "
                + "template (its vocabulary has no " + token + "); send a prompt to /v1/completions instead"));
    }

    @Override
    public byte[] bytes(long requestId, int index, int id) {
        return tokenizer.isSpecial(id) ? new byte[0] : tokenizer.decodeBytes(id);
    }

    @Override
    public boolean isEos(int id) {
        return id == tokenizer.eos() || id == endOfTurn;
    }

    @Override
    public boolean isValidId(int id) {
        return id >= 0 && id < tokenizer.vocabularySize();
    }

    /** A growable int array. */
    private static final class IntBuffer {
        private int[] data = new int[64];
        private int size;

        void add(int v) {
            if (size == data.length) data = java.util.Arrays.copyOf(data, size * 2);
            data[size++] = v;
        }

        void addAll(int[] vs) {
            for (int v : vs) add(v);
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(data, size);
        }
    }
}
