package servelab.api.spec;

import java.util.Arrays;

/**
 * Draft tokens proposed for one sequence.
 *
 * @param seqId  the sequence
 * @param tokens proposed token ids, in order (at least one)
 */
public record Draft(long seqId, int[] tokens) {
    public Draft {
        if (tokens.length == 0) throw new IllegalArgumentException("Draft.tokens must not be empty (seq " + seqId + ")");
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Draft d && d.seqId == seqId && Arrays.equals(d.tokens, tokens);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(seqId) * 31 + Arrays.hashCode(tokens);
    }

    @Override
    public String toString() {
        return "Draft[seqId=" + seqId + ", tokens=" + Arrays.toString(tokens) + "]";
    }
}
