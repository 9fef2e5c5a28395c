package servelab.schedulers.vtc;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.PriorityQueue;

import servelab.api.sched.Ordering;
import servelab.api.sched.Scheduler;
import servelab.api.sched.SchedulingContext;
import servelab.api.sched.SeqView;

/**
 * The VTC policy state: a counter per tenant and, per unfinished request, what it has been charged. Maps and sets are
 * only looked up, except {@link #served}, which is iterated in insertion order, so results never depend on hash order.
 */
final class TokenCounters implements Scheduler {
    /** A tenant's counter; mutable to avoid boxing a double per charge. */
    private static final class Tenant {
        final int order; // first-seen order: breaks counter ties deterministically
        double counter;

        Tenant(int order) {
            this.order = order;
        }
    }

    /** What one request has been charged; primitives only, since views must not be kept across calls. */
    private static final class Charged {
        final Tenant tenant;
        final int promptTokens;
        final int maxOutputTokens;
        boolean promptCharged;
        int outputTokens;
        long seenInCall;

        Charged(Tenant tenant, SeqView seq) {
            this.tenant = tenant;
            this.promptTokens = seq.promptTokens();
            this.maxOutputTokens = seq.maxOutputTokens();
        }
    }

    /** A tenant's waiting requests in arrival order, and its counter with this call's tentative picks. */
    private record Queue(Tenant tenant, ArrayDeque<SeqView> seqs, double[] tentative) {}

    private final double inputWeight;
    private final double outputWeight;
    private final HashMap<String, Tenant> tenants = new HashMap<>();
    private final LinkedHashMap<Long, Charged> served = new LinkedHashMap<>();
    private HashSet<Tenant> wasWaiting = new HashSet<>();
    private long call;

    TokenCounters(double inputWeight, double outputWeight) {
        this.inputWeight = inputWeight;
        this.outputWeight = outputWeight;
    }

    @Override
    public Ordering order(SchedulingContext ctx) {
        call++;
        for (var seq : ctx.running()) charge(seq, true);
        for (var seq : ctx.waiting()) charge(seq, false);
        chargeFinished();
        var queues = queues(ctx.waiting());
        lift(queues);
        return new Ordering(ctx.running(), queues.size() < 2 ? ctx.waiting() : picks(queues));
    }

    /** The counter of {@code tenant} (0 for one never seen): for tests and debugging. */
    double counter(String tenant) {
        var t = tenants.get(tenant);
        return t == null ? 0 : t.counter;
    }

    private Tenant tenant(String name) {
        return tenants.computeIfAbsent(name, n -> new Tenant(tenants.size()));
    }

    /** Charges what {@code seq} was served since the last call: its prompt once admitted, and new output tokens. */
    private void charge(SeqView seq, boolean running) {
        var c = served.get(seq.id());
        if (c == null) {
            c = new Charged(tenant(seq.tenant()), seq);
            served.put(seq.id(), c);
        }
        c.seenInCall = call;
        if (!c.promptCharged && (running || seq.computedTokens() > 0 || seq.outputTokens() > 0)) {
            c.promptCharged = true;
            c.tenant.counter += inputWeight * c.promptTokens;
        }
        if (seq.outputTokens() > c.outputTokens) {
            c.tenant.counter += outputWeight * (seq.outputTokens() - c.outputTokens);
            c.outputTokens = seq.outputTokens();
        }
    }

    /** A request in neither queue has finished since the last call: charge the rest of its prompt and output. */
    private void chargeFinished() {
        for (var it = served.values().iterator(); it.hasNext(); ) {
            var c = it.next();
            if (c.seenInCall == call) continue;
            if (!c.promptCharged) c.tenant.counter += inputWeight * c.promptTokens;
            c.tenant.counter += outputWeight * Math.max(0, c.maxOutputTokens - c.outputTokens);
            it.remove();
        }
    }

    private LinkedHashMap<Tenant, Queue> queues(List<SeqView> waiting) {
        var queues = new LinkedHashMap<Tenant, Queue>();
        for (var seq : waiting) {
            var t = tenant(seq.tenant());
            queues.computeIfAbsent(t, k -> new Queue(k, new ArrayDeque<>(), new double[] {k.counter})).seqs().add(seq);
        }
        return queues;
    }

    /** Counter lift: a tenant that starts waiting joins at the smallest counter of those already waiting. */
    private void lift(LinkedHashMap<Tenant, Queue> queues) {
        double floor = Double.POSITIVE_INFINITY;
        for (var t : queues.keySet()) {
            if (wasWaiting.contains(t)) floor = Math.min(floor, t.counter);
        }
        var now = new HashSet<Tenant>();
        for (var q : queues.values()) {
            var t = q.tenant();
            if (!wasWaiting.contains(t) && floor != Double.POSITIVE_INFINITY && t.counter < floor) {
                t.counter = floor;
                q.tentative()[0] = floor;
            }
            now.add(t);
        }
        wasWaiting = now;
    }

    /** The waiting queue in VTC's pick order: always the next request of the tenant with the smallest counter. */
    private List<SeqView> picks(LinkedHashMap<Tenant, Queue> queues) {
        var heap = new PriorityQueue<Queue>((a, b) -> {
            int byCounter = Double.compare(a.tentative()[0], b.tentative()[0]);
            return byCounter != 0 ? byCounter : Integer.compare(a.tenant().order, b.tenant().order);
        });
        heap.addAll(queues.values());
        var order = new ArrayList<SeqView>();
        while (!heap.isEmpty()) {
            var q = heap.poll();
            var seq = q.seqs().poll();
            order.add(seq);
            var c = served.get(seq.id());
            if (!c.promptCharged) q.tentative()[0] += inputWeight * c.promptTokens; // as if admitted now
            if (!q.seqs().isEmpty()) heap.add(q);
        }
        return order;
    }
}
