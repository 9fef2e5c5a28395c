/**
 * Scheduling: the order in which the batcher considers sequences, and so which ones are preempted first.
 *
 * <p>A scheduler is a function of the queues (and, lazily, of the prefix cache); it never changes them. The
 * engine keeps {@link servelab.api.sched.SchedulingContext#waiting()} in arrival order, so first-come-first-served
 * is the identity and costs nothing:
 *
 * {@snippet :
 * Scheduler fcfs = ctx -> new Ordering(ctx.running(), ctx.waiting());
 * Scheduler shortestJobFirst = ctx -> new Ordering(ctx.running(), ctx.waiting().stream()
 *         .sorted(Comparator.comparingInt(SeqView::maxOutputTokens).thenComparingLong(SeqView::arrivalNanos))
 *         .toList());
 * }
 */
@Version("1.0.0")
package servelab.api.sched;

import org.osgi.annotation.versioning.Version;
