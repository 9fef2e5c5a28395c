package servelab.serve;

import java.util.List;

import servelab.kernels.tokenizer.ChatTemplate;

/**
 * Text to token ids and back for the served model: the Llama 3 tokenizer and chat template of a real GGUF model
 * ({@link LlamaTokens}), or the emulated executor's stand-in ({@link PlaceholderTokens}), which has no vocabulary.
 */
public sealed interface ServedTokens permits LlamaTokens, PlaceholderTokens {
    /** A completion prompt's ids. */
    int[] encode(String prompt);

    /** A chat's ids through the model's chat template, ending with the assistant header. */
    int[] encodeChat(List<ChatTemplate.Message> messages);

    /**
     * The UTF-8 bytes output token {@code id} (the {@code index}-th of request {@code requestId}) stands for. An
     * executor without token ids passes {@code id = -1}: the placeholder text is then chosen by request and index.
     */
    byte[] bytes(long requestId, int index, int id);

    /** Whether {@code id} ends generation unless the client asked for {@code ignore_eos}. */
    boolean isEos(int id);

    /** Whether {@code id} is a prompt id the model accepts (for prompts given as token ids). */
    boolean isValidId(int id);
}
