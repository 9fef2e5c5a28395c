package servelab.plugins.speculative.ngram;

import java.util.Arrays;

import servelab.api.sched.SeqView;
import servelab.api.spec.SpecContext;

/**
 * One sequence's context (prompt then output tokens) with an index of where each token occurred: a hash chain, as
 * in zlib's LZ77 match finder. {@code head[bucket]} is the latest position whose token falls in the bucket and
 * {@code prev[p]} the one before p in the same bucket, so the earlier occurrences of the last token are walked
 * most recent first without looking at any other position (except the rare one sharing its bucket).
 *
 * <p>Built incrementally: {@link #catchUp} copies and indexes only the tokens appended since the last call (one
 * per decode, 1 + accepted per verification), so indexing costs O(1) amortized per token. A context that does not
 * continue the one indexed (shorter, or a different last token) is indexed again from scratch.
 *
 * <p>Memory: 8 bytes per token (the token and its chain link) plus a bucket table of the next power of two at
 * least the context length (4 bytes a bucket): 12-16 bytes per token. Not thread-safe.
 */
final class ContextIndex {
    private int[] tokens = new int[64];
    private int[] prev = new int[64];
    private int[] head = emptyHead(64);
    /** Tokens copied: positions [0, length). */
    private int length;
    /** Positions in the chains: [0, linked), always length - 1 or less, so the last token never matches itself. */
    private int linked;

    /** Brings the copy up to {@code seq}'s context in {@code ctx}; afterwards {@link #length} is its length. */
    void catchUp(SeqView seq, SpecContext ctx) {
        int contextLength = seq.promptTokens() + seq.outputTokens();
        if (contextLength < length || (length > 0 && ctx.token(seq, length - 1) != tokens[length - 1])) clear();
        if (contextLength > tokens.length) {
            int capacity = Math.max(contextLength, 2 * tokens.length);
            tokens = Arrays.copyOf(tokens, capacity);
            prev = Arrays.copyOf(prev, capacity);
        }
        for (; length < contextLength; length++) tokens[length] = ctx.token(seq, length);
        if (length - 1 > head.length) rebucket(Integer.highestOneBit(length - 1) * 2);
        for (; linked < length - 1; linked++) link(linked, head.length - 1);
    }

    /** Tokens in the copied context. */
    int length() {
        return length;
    }

    /** Tokens [from, to) of the context. */
    int[] tokens(int from, int to) {
        return Arrays.copyOfRange(tokens, from, to);
    }

    /**
     * Finds the longest suffix of the context, of {@code minN} to {@code maxN} tokens, that occurred earlier (an
     * occurrence may overlap the suffix, never be it), and of that suffix's occurrences the most recent one.
     * Cost: O(c × maxN) for c earlier occurrences of the last token; it stops at the first occurrence with a
     * full {@code maxN} match, so a context that repeats itself costs O(maxN).
     *
     * @return the position after that occurrence, where its continuation starts (at most length - 1); -1 if none
     */
    int continuationOfLongestSuffixMatch(int minN, int maxN) {
        int last = length - 1;
        if (last < 1) return -1;
        int target = tokens[last];
        int bestLength = 0;
        int bestEnd = -1;
        for (int end = head[bucket(target, head.length - 1)]; end >= 0; end = prev[end]) {
            if (tokens[end] != target) continue; // another token in the same bucket
            int cap = Math.min(maxN, end + 1);
            int n = 1;
            while (n < cap && tokens[end - n] == tokens[last - n]) n++;
            if (n > bestLength) { // later occurrences come first, so a tie keeps the most recent
                bestLength = n;
                bestEnd = end;
                if (n == maxN) break;
            }
        }
        return bestLength >= minN ? bestEnd + 1 : -1;
    }

    private void link(int position, int mask) {
        int b = bucket(tokens[position], mask);
        prev[position] = head[b];
        head[b] = position;
    }

    /** A bucket table of {@code capacity} buckets, with the linked positions chained again in order. */
    private void rebucket(int capacity) {
        head = emptyHead(capacity);
        for (int p = 0; p < linked; p++) link(p, capacity - 1);
    }

    private void clear() {
        length = 0;
        linked = 0;
        Arrays.fill(head, -1);
    }

    private static int[] emptyHead(int capacity) {
        var h = new int[capacity];
        Arrays.fill(h, -1);
        return h;
    }

    private static int bucket(int token, int mask) {
        int h = token * 0x9E3779B9; // Fibonacci hashing: nearby token ids land in distant buckets
        return (h ^ (h >>> 16)) & mask;
    }
}
