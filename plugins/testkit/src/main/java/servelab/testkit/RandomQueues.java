package servelab.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;

import servelab.testkit.FakeQueues.Seq;

/**
 * Seeded random material for contract tests: queues that evolve from call to call the way an engine's do
 * (arrivals, admissions, decodes, finishes, preemptions), so stateful schedulers see realistic deltas; and small
 * bursty traces for whole replays on {@link TinyEngine}.
 */
public final class RandomQueues {
    private static final String[] TENANTS = {"a", "b", "c"};

    private final SplittableRandom random;
    private final List<Seq> running = new ArrayList<>();
    private final List<Seq> waiting = new ArrayList<>();
    private long nextId;
    private long nowMs;

    public RandomQueues(long seed) {
        random = new SplittableRandom(seed);
    }

    /** The queues after one more engine step, with cached-prefix lengths for some waiting requests. */
    public FakeQueues next() {
        nowMs += 1 + random.nextInt(20);
        for (int i = random.nextInt(6); i > 0; i--) arrive();
        for (int i = 0; i < running.size(); i++) {
            var s = running.get(i);
            if (s.outputTokens() + 1 >= s.maxOutputTokens()) running.remove(i--); // finished
            else running.set(i, s.produced(s.outputTokens() + 1));
        }
        for (int i = random.nextInt(4); i > 0 && !waiting.isEmpty(); i--) {
            var s = waiting.remove(0);
            running.add(s.produced(Math.max(1, s.outputTokens())));
        }
        if (!running.isEmpty() && random.nextInt(5) == 0) { // preempt the latest by recompute
            insertByArrival(running.remove(running.size() - 1).recomputing());
        }
        var queues = new FakeQueues().at(nowMs);
        queues.running.addAll(running);
        queues.waiting.addAll(waiting);
        for (var s : waiting) {
            if (random.nextBoolean()) queues.cached(s.id(), 4 * random.nextInt(s.promptTokens() / 4 + 1));
        }
        return queues;
    }

    private void arrive() {
        var predicted = random.nextBoolean() ? OptionalInt.of(1 + random.nextInt(200)) : OptionalInt.empty();
        waiting.add(new Seq(nextId++, 1 + random.nextInt(300), 0, 0, 2 + random.nextInt(60), nowMs * 1_000_000L,
                random.nextInt(4), TENANTS[random.nextInt(TENANTS.length)], predicted));
    }

    private void insertByArrival(Seq seq) {
        int at = 0;
        while (at < waiting.size() && (waiting.get(at).arrivalNanos() < seq.arrivalNanos()
                || waiting.get(at).arrivalNanos() == seq.arrivalNanos() && waiting.get(at).id() < seq.id())) {
            at++;
        }
        waiting.add(at, seq);
    }

    /**
     * A small bursty trace: {@code count} requests over about {@code count} ms, prompts up to {@code maxPrompt},
     * outputs up to {@code maxOutput}, three tenants, priorities 0-3.
     */
    public static List<TinyEngine.Request> trace(long seed, int count, int maxPrompt, int maxOutput) {
        var random = new SplittableRandom(seed);
        var trace = new ArrayList<TinyEngine.Request>();
        long t = 0;
        for (int i = 0; i < count; i++) {
            t += random.nextInt(4) == 0 ? random.nextInt(8) : 0; // bursts: most requests arrive together
            trace.add(new TinyEngine.Request(i, t, 1 + random.nextInt(maxPrompt), 1 + random.nextInt(maxOutput),
                    TENANTS[random.nextInt(TENANTS.length)], random.nextInt(4)));
        }
        return trace;
    }
}
