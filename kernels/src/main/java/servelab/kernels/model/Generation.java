package servelab.kernels.model;

import java.util.Arrays;
import java.util.List;

import servelab.kernels.attention.KvAddress;
import servelab.kernels.attention.KvCache;
import servelab.kernels.sample.Sampler;

/**
 * Single-sequence generation on top of {@link Forward#step}: a prompt prefilled in chunks, then one decode step
 * per new token until {@code maxTokens} or a stop token ({@code <|end_of_text|>}, {@code <|eot_id|>}). For tests,
 * demos and benchmarks; a serving engine batches steps itself.
 */
public final class Generation {
    private Generation() {}

    /** The new tokens (a stop token included if one was sampled). */
    public static int[] generate(Llama model, ForwardState state, KvCache cache, KvAddress address, int[] prompt,
                                 int prefillChunk, int maxTokens, Sampler sampler) {
        if (prompt.length == 0 || prefillChunk <= 0 || maxTokens <= 0) {
            throw new IllegalArgumentException("need a prompt, prefillChunk > 0 and maxTokens > 0");
        }
        var stops = stopTokens(model);
        Logits logits = null;
        for (int start = 0; start < prompt.length; start += prefillChunk) {
            int end = Math.min(prompt.length, start + prefillChunk);
            var chunk = SequenceChunk.prefill(Arrays.copyOfRange(prompt, start, end), start, address, end == prompt.length);
            logits = Forward.step(model, state, cache, List.of(chunk));
        }
        var out = new int[maxTokens];
        int n = 0;
        int position = prompt.length;
        while (true) {
            int next = sampler.sample(logits.values(), logits.offset(0, 0), logits.vocabularySize());
            out[n++] = next;
            if (n == maxTokens || Arrays.stream(stops).anyMatch(s -> s == next)) {
                return Arrays.copyOf(out, n);
            }
            logits = Forward.step(model, state, cache, List.of(SequenceChunk.decode(next, position++, address)));
        }
    }

    /** End of text, and end of turn if the vocabulary has it. */
    public static int[] stopTokens(Llama model) {
        var tokenizer = model.tokenizer();
        return tokenizer.id("<|eot_id|>").isPresent()
                ? new int[] {tokenizer.eos(), tokenizer.id("<|eot_id|>").getAsInt()} : new int[] {tokenizer.eos()};
    }
}
