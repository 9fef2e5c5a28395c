package servelab.plugins.speculative.ngram;

import java.util.ArrayList;
import java.util.List;

import servelab.api.sched.SeqView;
import servelab.api.spec.Draft;
import servelab.api.spec.SpecContext;
import servelab.api.spec.Speculator;
import servelab.plugins.speculative.common.DraftLengths;
import servelab.plugins.speculative.common.SequenceStates;

/**
 * Prompt lookup: for each decoding sequence, the longest suffix of its context of {@code minN} to {@code maxN}
 * tokens that occurred before, and the tokens that followed its most recent earlier occurrence, up to k and the
 * end of the context. Drafts follow the order of {@code decoding}; a sequence without a match gets none.
 *
 * <p>Each sequence's context is kept in a {@link ContextIndex}, extended by the tokens appended since the last
 * call. An index not used for {@value #FORGET_AFTER_CALLS} calls is dropped (its sequence has most likely
 * finished); if the sequence comes back, its index is rebuilt in O(context). Not thread-safe: one instance per
 * replica, as the host creates them.
 */
final class PromptLookupSpeculator implements Speculator {
    /** Calls an index survives unused: a few dozen steps, since rebuilding one is only a pass over the context. */
    static final int FORGET_AFTER_CALLS = 64;

    private final int minN;
    private final int maxN;
    private final DraftLengths lengths;
    private final SequenceStates<ContextIndex> indexes = new SequenceStates<>(FORGET_AFTER_CALLS, id -> new ContextIndex());

    PromptLookupSpeculator(int minN, int maxN, DraftLengths lengths) {
        if (minN < 1 || minN > maxN) {
            throw new IllegalArgumentException("PromptLookupSpeculator needs 1 <= minN <= maxN, was " + minN + ", " + maxN);
        }
        this.minN = minN;
        this.maxN = maxN;
        this.lengths = lengths;
    }

    @Override
    public List<Draft> propose(List<SeqView> decoding, SpecContext ctx) {
        lengths.beginCall();
        indexes.beginCall();
        var drafts = new ArrayList<Draft>();
        for (var seq : decoding) {
            int k = lengths.next(seq, ctx);
            if (k == 0) continue;
            var index = indexes.get(seq.id());
            index.catchUp(seq, ctx);
            int from = index.continuationOfLongestSuffixMatch(minN, maxN);
            if (from >= 0) drafts.add(new Draft(seq.id(), index.tokens(from, Math.min(from + k, index.length()))));
        }
        return drafts;
    }

    /** Sequences with an index now, for tests. */
    int indexedSequences() {
        return indexes.size();
    }
}
