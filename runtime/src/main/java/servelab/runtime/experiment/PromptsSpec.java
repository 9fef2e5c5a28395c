package servelab.runtime.experiment;

import java.util.List;

/**
 * Prompt token ids. {@code synthetic} (default): each token a deterministic function of the request and of the
 * trace's prefix identities (Mooncake {@code hash_ids}), so prefix sharing is what the trace says. {@code
 * repeated}: a random block of {@code period} tokens (seeded by the run seed and the request) repeated to the
 * prompt's length, the kind of context n-gram speculation feeds on (a document quoted back, code with repeated
 * identifiers). {@code random}: independent random tokens, where n-gram lookup finds next to nothing. On the
 * model executor the ids are the model's ordinary (non-special) tokens.
 */
public record PromptsSpec(String kind, Integer period) {
    public static final PromptsSpec SYNTHETIC = new PromptsSpec(null, null);

    public PromptsSpec {
        kind = kind == null ? "synthetic" : kind;
        if (!List.of("synthetic", "repeated", "random").contains(kind)) {
            throw new IllegalArgumentException("prompts.kind '" + kind + "' is unknown; accepted: synthetic, repeated, random");
        }
        period = period == null ? 64 : period; // left out: 64 (an explicit 0 was taken as left out)
        if (period < 1) throw new IllegalArgumentException("prompts.period must be >= 1, was " + period);
    }
}
