package servelab.api.sched;

import java.util.List;
import java.util.Objects;

/**
 * A scheduler's answer: running and waiting sequences, most urgent first. Each must be a permutation of the
 * corresponding context list; the engine checks and rejects a plan built from anything else.
 *
 * @param running sequences holding KV; the batcher preempts from the end
 * @param waiting sequences to admit, in this order
 */
public record Ordering(List<SeqView> running, List<SeqView> waiting) {
    public Ordering {
        Objects.requireNonNull(running, "Ordering.running");
        Objects.requireNonNull(waiting, "Ordering.waiting");
    }
}
