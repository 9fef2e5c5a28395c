package servelab.api.sched;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Orders the candidates of one step. The batcher takes running sequences in the returned order and preempts from
 * the end of {@link Ordering#running()} when memory runs out, so the running order is also the victim choice
 * (latest-first gives vLLM's behaviour); it admits waiting sequences in the order of {@link Ordering#waiting()}.
 *
 * <p>A scheduler is called once per engine step on the engine's thread. It must return each candidate exactly
 * once (the engine checks), must not keep views across calls, and should state its cost per call in its
 * Javadoc; with {@code record.scheduler_cpu: true} the engine records the wall time of each call per iteration
 * ({@code scheduler_cpu_ns}, 0 otherwise), which the simulated clock does not include.
 */
@ConsumerType
@FunctionalInterface
public interface Scheduler {
    Ordering order(SchedulingContext ctx);
}
