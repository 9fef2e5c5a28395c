package servelab.testkit;

import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Map;

import servelab.api.batch.Batcher;
import servelab.api.batch.PreemptMode;
import servelab.api.kv.Eviction;
import servelab.api.kv.KvAllocator;
import servelab.api.sched.Ordering;
import servelab.api.sched.Scheduler;
import servelab.api.sched.SeqView;

/**
 * Plain policies the contracts pair a plugin with (a bundle's tests cannot load the other bundles): first come
 * first served, latest first, a continuous batcher, paged allocation, LRU eviction. Each is the simplest correct
 * one of its kind, and the testkit's own tests run each kind's contract on them.
 */
public final class ReferencePolicies {
    private ReferencePolicies() {}

    /** The queues as the engine keeps them: running in admission order, waiting in arrival order. */
    public static Scheduler fcfs() {
        return ctx -> new Ordering(ctx.running(), ctx.waiting());
    }

    /**
     * Latest arrival first in both queues, so the earliest-arrived running sequence is the first victim. Stable
     * (unlike "most recently admitted first", which lets two requests that cannot both fit evict each other
     * forever), so the most urgent request always progresses.
     */
    public static Scheduler lcfs() {
        Comparator<SeqView> latestFirst = Comparator.comparingLong(SeqView::id).reversed();
        return ctx -> new Ordering(ctx.running().stream().sorted(latestFirst).toList(),
                ctx.waiting().stream().sorted(latestFirst).toList());
    }

    /** Blocks for the computed tokens only, no watermark. */
    public static KvAllocator pagedAllocator() {
        return (seq, tokens, blockSizeTokens) -> Math.ceilDiv(tokens, blockSizeTokens);
    }

    /**
     * Continuous batching: running sequences first in scheduler order (a decode, or the next chunk of a prompt),
     * preempting from the end of the running order when memory runs out; then waiting prompts while the token
     * budget, the sequence budget and memory above the allocator's watermark last, never in a step that preempted.
     * Parameters: {@code max_num_seqs} (default 8), {@code max_num_batched_tokens} (default 256), {@code preempt_mode}
     * ({@code recompute} or {@code swap}).
     */
    public static Batcher batcher(Map<String, ?> given) {
        Map<String, Object> params = Map.copyOf(given);
        int maxSeqs = ((Number) params.getOrDefault("max_num_seqs", 8)).intValue();
        int maxTokens = ((Number) params.getOrDefault("max_num_batched_tokens", 256)).intValue();
        var mode = PreemptMode.valueOf(params.getOrDefault("preempt_mode", "recompute").toString().toUpperCase(java.util.Locale.ROOT));
        return (order, ctx, plan) -> {
            int tokens = maxTokens;
            int blocks = ctx.freeBlocks();
            var running = order.running();
            int end = running.size(); // running[end..] were preempted in this step
            for (int i = 0; i < end && plan.sequences() < maxSeqs && tokens > 0; i++) {
                var seq = running.get(i);
                int n = Math.min(seq.uncomputedTokens(), tokens);
                int need = ctx.blocksNeeded(seq, n);
                while (need > blocks && end - 1 > i) {
                    var victim = running.get(--end);
                    blocks += ctx.heldBlocks(victim);
                    plan.preempt(victim, mode);
                }
                if (need > blocks) { // nothing less urgent left to take from: give way to the ones before it
                    plan.preempt(seq, mode);
                    end = i;
                    break;
                }
                blocks -= need;
                tokens -= n;
                if (seq.isDecoding()) plan.decode(seq);
                else plan.prefill(seq, n);
            }
            if (end < running.size()) return; // vLLM's rule: no admission in a step that had to preempt
            int headroom = running.isEmpty() ? 0 : ctx.admissionHeadroomBlocks();
            for (var seq : order.waiting()) {
                if (plan.sequences() >= maxSeqs || tokens <= 0) break;
                int n = Math.min(Math.max(1, seq.uncomputedTokens() - ctx.cachedPrefixTokens(seq)), tokens);
                int need = ctx.blocksNeeded(seq, n);
                if (need > blocks - headroom) break;
                blocks -= need;
                tokens -= n;
                plan.prefill(seq, n);
            }
        };
    }

    /** Least recently used first; O(1) per call. */
    public static Eviction lruEviction() {
        return new Eviction() {
            private final LinkedHashSet<Integer> candidates = new LinkedHashSet<>();

            @Override public void used(int blockId, int depth, long nowNanos) { }
            @Override public void acquired(int blockId, long nowNanos) { candidates.remove(blockId); }

            @Override
            public void released(int blockId, long nowNanos) {
                candidates.remove(blockId);
                candidates.add(blockId);
            }

            @Override
            public int evict(long nowNanos) {
                if (candidates.isEmpty()) return -1;
                int victim = candidates.getFirst();
                candidates.remove(victim);
                return victim;
            }
        };
    }
}
