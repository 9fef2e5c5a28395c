package servelab.runtime.engine;

import java.util.List;

import servelab.api.batch.InvalidPlanException;
import servelab.api.sched.Ordering;
import servelab.api.sched.SeqView;

/** The contracts a scheduler's ordering and a batcher's plan are checked against before anything is committed. */
final class PlanChecks {
    private PlanChecks() {}

    /** A scheduler's ordering broke the contract. */
    static final class OrderingException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OrderingException(String message) {
            super(message);
        }
    }

    /** The scheduler must return each running and each waiting sequence exactly once. */
    static void checkOrdering(Ordering order, PolicyViews views, List<Sequence> running, List<Sequence> waiting,
                              int replica, long attempt) {
        if (order == null) throw new OrderingException("scheduler returned no ordering");
        if (order.running() != views.runningView) {
            checkPermutation(order.running(), running, Sequence.State.RUNNING, replica, attempt);
        }
        if (order.waiting() != views.waitingView) {
            checkPermutation(order.waiting(), waiting, Sequence.State.WAITING, replica, attempt);
        }
    }

    private static void checkPermutation(List<SeqView> ordered, List<Sequence> expected, Sequence.State state,
                                         int replica, long attempt) {
        String queue = state == Sequence.State.RUNNING ? "running" : "waiting";
        if (ordered.size() != expected.size()) {
            throw new OrderingException("scheduler returned " + ordered.size() + " " + queue + " sequences, the queue has "
                    + expected.size());
        }
        long mark = -1 - attempt; // a stamp no plan uses (plan stamps are positive)
        for (var view : ordered) {
            // a sequence is in the running (waiting) queue exactly when its state says so
            if (!(view instanceof Sequence seq) || seq.replica != replica || seq.state != state) {
                throw new OrderingException("scheduler returned " + view + ", which is not in the " + queue + " queue");
            }
            if (seq.planStamp == mark) throw new OrderingException("scheduler returned " + seq + " twice");
            seq.planStamp = mark;
        }
    }

    /** Memory for the whole plan, and progress: an empty plan with work queued would stall the run. */
    static void checkPlan(PlanBuilder plan, KvManager kv, int running, int waiting) {
        kv.checkFits(plan);
        if (plan.size() == 0 && running + waiting > 0) {
            throw new InvalidPlanException("empty plan with " + running + " running and " + waiting
                    + " waiting sequences (" + kv.available() + " of " + kv.total() + " KV blocks free): the run would stall");
        }
    }
}
