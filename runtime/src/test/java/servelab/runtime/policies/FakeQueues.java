package servelab.runtime.policies;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import servelab.api.Clock;
import servelab.api.sched.SchedulingContext;
import servelab.api.sched.SeqView;

/**
 * Hand-made queues for scheduler tests: sequences with exactly the fields a test names, a clock, and prefix-cache
 * match lengths the engine would compute (it returns 0 until the engine has a prefix cache).
 */
class FakeQueues implements SchedulingContext {

    /** A sequence as a scheduler sees it. */
    record Seq(long id, int promptTokens, int outputTokens, int computedTokens, int maxOutputTokens,
               long arrivalNanos, int priority, String tenant, OptionalInt predictedOutputTokens) implements SeqView {
        @Override public int cachedPrefixTokens() { return 0; }
        @Override public int preemptions() { return 0; }
        @Override public boolean isSwapped() { return false; }

        /** A waiting request: nothing computed yet. */
        static Seq waiting(long id, long arrivalMs, int prompt, int output) {
            return new Seq(id, prompt, 0, 0, output, arrivalMs * 1_000_000L, 0, "default", OptionalInt.empty());
        }

        /** A running request that has produced {@code produced} of its {@code output} tokens. */
        static Seq running(long id, long arrivalMs, int prompt, int output, int produced) {
            return new Seq(id, prompt, produced, prompt + produced - 1, output, arrivalMs * 1_000_000L, 0, "default",
                    OptionalInt.empty());
        }

        Seq tenant(String name) {
            return new Seq(id, promptTokens, outputTokens, computedTokens, maxOutputTokens, arrivalNanos, priority,
                    name, predictedOutputTokens);
        }

        Seq priority(int value) {
            return new Seq(id, promptTokens, outputTokens, computedTokens, maxOutputTokens, arrivalNanos, value,
                    tenant, predictedOutputTokens);
        }

        Seq produced(int tokens) {
            return new Seq(id, promptTokens, tokens, promptTokens + tokens - 1, maxOutputTokens, arrivalNanos,
                    priority, tenant, predictedOutputTokens);
        }
    }

    final List<SeqView> running = new ArrayList<>();
    final List<SeqView> waiting = new ArrayList<>();
    final Map<Long, Integer> cached = new HashMap<>();
    long nowNanos;

    FakeQueues running(SeqView... seqs) {
        running.addAll(List.of(seqs));
        return this;
    }

    FakeQueues waiting(SeqView... seqs) {
        waiting.addAll(List.of(seqs));
        return this;
    }

    FakeQueues cached(long id, int tokens) {
        cached.put(id, tokens);
        return this;
    }

    FakeQueues at(long ms) {
        nowNanos = ms * 1_000_000L;
        return this;
    }

    @Override public List<SeqView> running() { return running; }
    @Override public List<SeqView> waiting() { return waiting; }
    @Override public Clock clock() { return () -> nowNanos; }
    @Override public int cachedPrefixTokens(SeqView seq) { return cached.getOrDefault(seq.id(), 0); }

    static List<Long> ids(List<SeqView> seqs) {
        return seqs.stream().map(SeqView::id).toList();
    }
}
