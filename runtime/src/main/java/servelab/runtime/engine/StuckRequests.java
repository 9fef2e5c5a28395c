package servelab.runtime.engine;

import java.util.List;

import servelab.api.kv.KvAllocator;
import servelab.api.sched.SeqView;

/**
 * A step whose batcher planned nothing while nothing runs: every block is free or only cached, so a plan that takes no
 * waiting sequence now never will, since the state cannot improve. One sequence fails, rather than the whole run (as
 * vLLM ignores a prompt it can never schedule), and the step is planned again without it.
 */
final class StuckRequests {
    private StuckRequests() {
    }

    /**
     * Refuses the first sequence in the scheduler's order that needs more blocks than admission leaves (over the
     * allocator's watermark), else a swapped-out one (while one waits, prefill-first batchers admit no new prompt, so
     * it blocks the rest), else the first in the scheduler's order (a prompt over max_num_batched_tokens without
     * chunked prefill, say).
     */
    static void refuseOne(List<SeqView> order, SequenceQueues queues, KvManager kv, KvAllocator allocator,
                          int blockSizeTokens, String batcher) {
        int room = kv.total() - kv.admissionHeadroom();
        Sequence culprit = null, swapped = null;
        for (var view : order) {
            var seq = (Sequence) view;
            if (need(seq, allocator, blockSizeTokens) > room) {
                culprit = seq;
                break;
            }
            if (swapped == null && seq.isSwapped()) swapped = seq;
        }
        if (culprit == null) culprit = swapped != null ? swapped : (Sequence) order.getFirst();
        queues.refuse(culprit, "never scheduled: with nothing running and the KV pool free, batcher " + batcher
                + " planned no step for it (" + (culprit.promptTokens() + culprit.outputTokens) + " tokens to hold, "
                + need(culprit, allocator, blockSizeTokens) + " KV blocks of " + kv.total() + ", "
                + kv.admissionHeadroom() + " kept free at admission): no step can take it under these settings");
    }

    /** Blocks {@code seq} holds once admitted again: its prompt and the output it has. */
    private static int need(Sequence seq, KvAllocator allocator, int blockSizeTokens) {
        return allocator.blocksToHold(seq, seq.promptTokens() + seq.outputTokens, blockSizeTokens);
    }
}
