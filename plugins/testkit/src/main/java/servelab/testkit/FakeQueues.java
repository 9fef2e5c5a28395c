package servelab.testkit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import servelab.api.Clock;
import servelab.api.sched.SchedulingContext;
import servelab.api.sched.SeqView;

/**
 * Hand-made queues for scheduler tests: sequences with exactly the fields a test names, a clock, and the
 * prefix-cache match lengths an engine would compute.
 *
 * {@snippet :
 * var queues = new FakeQueues().running(Seq.running(0, 0, 8, 4, 1)).waiting(Seq.waiting(1, 5, 16, 4)).at(10);
 * var order = scheduler.order(queues);
 * }
 */
public class FakeQueues implements SchedulingContext {

    /** A sequence as a scheduler sees it. */
    public record Seq(long id, int promptTokens, int outputTokens, int computedTokens, int maxOutputTokens,
                      long arrivalNanos, int priority, String tenant, OptionalInt predictedOutputTokens)
            implements SeqView {
        @Override public int cachedPrefixTokens() { return 0; }
        @Override public int preemptions() { return 0; }
        @Override public boolean isSwapped() { return false; }

        /** A waiting request: nothing computed yet. */
        public static Seq waiting(long id, long arrivalMs, int prompt, int output) {
            return new Seq(id, prompt, 0, 0, output, arrivalMs * 1_000_000L, 0, "default", OptionalInt.empty());
        }

        /** A running request that has produced {@code produced} of its {@code output} tokens. */
        public static Seq running(long id, long arrivalMs, int prompt, int output, int produced) {
            return new Seq(id, prompt, produced, prompt + produced - 1, output, arrivalMs * 1_000_000L, 0, "default",
                    OptionalInt.empty());
        }

        public Seq tenant(String name) {
            return new Seq(id, promptTokens, outputTokens, computedTokens, maxOutputTokens, arrivalNanos, priority,
                    name, predictedOutputTokens);
        }

        public Seq priority(int value) {
            return new Seq(id, promptTokens, outputTokens, computedTokens, maxOutputTokens, arrivalNanos, value,
                    tenant, predictedOutputTokens);
        }

        public Seq predicted(int tokens) {
            return new Seq(id, promptTokens, outputTokens, computedTokens, maxOutputTokens, arrivalNanos, priority,
                    tenant, OptionalInt.of(tokens));
        }

        public Seq produced(int tokens) {
            return new Seq(id, promptTokens, tokens, promptTokens + tokens - 1, maxOutputTokens, arrivalNanos,
                    priority, tenant, predictedOutputTokens);
        }

        /** The same request after a preemption by recompute: nothing computed. */
        public Seq recomputing() {
            return new Seq(id, promptTokens, outputTokens, 0, maxOutputTokens, arrivalNanos, priority, tenant,
                    predictedOutputTokens);
        }
    }

    /** The running queue as handed to the scheduler (mutable, so a test can build it). */
    public final List<SeqView> running = new ArrayList<>();
    /** The waiting queue as handed to the scheduler. */
    public final List<SeqView> waiting = new ArrayList<>();
    private final Map<Long, Integer> cached = new HashMap<>();
    private long nowNanos;

    public FakeQueues running(SeqView... seqs) {
        running.addAll(List.of(seqs));
        return this;
    }

    public FakeQueues waiting(SeqView... seqs) {
        waiting.addAll(List.of(seqs));
        return this;
    }

    /** The prefix cache would serve {@code tokens} of sequence {@code id}'s prompt. */
    public FakeQueues cached(long id, int tokens) {
        cached.put(id, tokens);
        return this;
    }

    public FakeQueues at(long ms) {
        nowNanos = ms * 1_000_000L;
        return this;
    }

    @Override public List<SeqView> running() { return running; }
    @Override public List<SeqView> waiting() { return waiting; }
    @Override public Clock clock() { return () -> nowNanos; }
    @Override public int cachedPrefixTokens(SeqView seq) { return cached.getOrDefault(seq.id(), 0); }

    public static List<Long> ids(List<? extends SeqView> seqs) {
        return seqs.stream().map(SeqView::id).map(Long::valueOf).toList();
    }
}
