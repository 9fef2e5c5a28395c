package servelab.runtime.calibrate;

import java.util.List;

import servelab.runtime.exec.cost.MeasuredStep;

/**
 * One designed step of a calibration: what each sequence of the step computes. The totals are the arguments of
 * {@code CostModel.stepNanos}, counted as the engine's {@code CommittedStep} counts them, so a measured row and a
 * simulated step describe the same work.
 *
 * @param items the step's sequences, at least one
 */
public record GridPoint(List<Work> items) {

    /** What one sequence computes in the step. */
    public sealed interface Work permits Prefill, Decode {
        /** Tokens computed. */
        int tokens();

        /** Position of the first computed token (tokens already in the KV cache before it). */
        int start();
    }

    /** A prefill chunk of {@code tokens} after {@code cached} tokens already in the cache; it samples a token. */
    public record Prefill(int tokens, int cached) implements Work {
        public Prefill {
            if (tokens < 1 || cached < 0) throw new IllegalArgumentException("Prefill needs tokens >= 1 and cached >= 0, was " + tokens + ", " + cached);
        }

        @Override
        public int start() {
            return cached;
        }
    }

    /** One decode token at position {@code context} (it attends to {@code context + 1} keys, itself included). */
    public record Decode(int context) implements Work {
        public Decode {
            if (context < 0) throw new IllegalArgumentException("Decode.context must be >= 0, was " + context);
        }

        @Override
        public int tokens() {
            return 1;
        }

        @Override
        public int start() {
            return context;
        }
    }

    public GridPoint {
        items = List.copyOf(items);
        if (items.isEmpty()) throw new IllegalArgumentException("a grid point needs at least one item");
    }

    public static GridPoint of(Work... items) {
        return new GridPoint(List.of(items));
    }

    /** Positions the longest item reaches (its start plus its tokens). */
    public int maxEnd() {
        return items.stream().mapToInt(w -> w.start() + w.tokens()).max().orElseThrow();
    }

    /** KV blocks of {@code blockSize} tokens the step's sequences hold, each in blocks of its own. */
    public int blocks(int blockSize) {
        return items.stream().mapToInt(w -> Math.ceilDiv(w.start() + w.tokens(), blockSize)).sum();
    }

    /** The measured row for this step: its totals and {@code stepMs}. */
    public MeasuredStep row(double stepMs) {
        int prefill = 0, decode = 0;
        long pairs = 0, context = 0;
        for (var w : items) {
            long n = w.tokens();
            long causal = n * w.start() + n * (n + 1) / 2; // as CommittedStep.place counts it
            switch (w) {
                case Prefill p -> {
                    prefill += p.tokens();
                    pairs += causal;
                }
                case Decode d -> {
                    decode += 1;
                    context += causal;
                }
            }
        }
        return new MeasuredStep(prefill, decode, items.size(), pairs, context, stepMs);
    }

    @Override
    public String toString() {
        var s = new StringBuilder();
        long decodes = items.stream().filter(w -> w instanceof Decode).count();
        for (var w : items) if (w instanceof Prefill p) s.append("prefill ").append(p.tokens()).append('@').append(p.cached()).append(' ');
        if (decodes > 0) {
            int ctx = items.stream().filter(w -> w instanceof Decode).mapToInt(Work::start).max().orElse(0);
            s.append(decodes).append(" decodes @").append(ctx);
        }
        return s.toString().strip();
    }
}
