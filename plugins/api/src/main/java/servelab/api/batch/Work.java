package servelab.api.batch;

/**
 * One item of a batch plan, as a value. Token counts follow vLLM v1: there is no prefill or decode phase, only
 * tokens to compute for each sequence in a step.
 */
public sealed interface Work permits Work.PrefillChunk, Work.Decode, Work.Verify, Work.Preempt {
    long seqId();

    /** Tokens of compute this item costs in the step (0 for a preemption). */
    int tokens();

    /** A chunk of {@code tokens} prompt (or recomputed) tokens. */
    record PrefillChunk(long seqId, int tokens) implements Work {
        public PrefillChunk {
            if (tokens <= 0) throw new IllegalArgumentException("PrefillChunk.tokens must be > 0, was " + tokens);
        }
    }

    /** One decode token. */
    record Decode(long seqId) implements Work {
        @Override
        public int tokens() {
            return 1;
        }
    }

    /** A decode plus {@code draftTokens} speculative tokens to verify: {@code draftTokens + 1} tokens of work. */
    record Verify(long seqId, int draftTokens) implements Work {
        public Verify {
            if (draftTokens <= 0) throw new IllegalArgumentException("Verify.draftTokens must be > 0, was " + draftTokens);
        }

        @Override
        public int tokens() {
            return draftTokens + 1;
        }
    }

    /** A preemption before the step runs. */
    record Preempt(long seqId, PreemptMode mode) implements Work {
        @Override
        public int tokens() {
            return 0;
        }
    }
}
