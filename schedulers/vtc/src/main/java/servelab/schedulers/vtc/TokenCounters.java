package servelab.schedulers.vtc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;

import servelab.api.sched.Ordering;
import servelab.common.collect.LongObjectMap;
import servelab.api.sched.Scheduler;
import servelab.api.sched.SchedulingContext;
import servelab.api.sched.SeqView;

/**
 * The VTC policy state: a counter per tenant and, per unfinished request, what it has been charged. Maps and sets
 * are only looked up (the set of tenants that stopped waiting is only reduced with {@code max}); requests are
 * walked in {@link #live}, in the order first seen; so results never depend on hash order.
 */
final class TokenCounters implements Scheduler {
    /** A tenant's counter; mutable to avoid boxing a double per charge. */
    private static final class Tenant {
        final int order; // first-seen order: breaks counter ties deterministically
        double counter;
        Queue queue; // this call's queue, when queueCall is the current call (saves a map look-up per request)
        long queueCall;

        Tenant(int order) {
            this.order = order;
        }
    }

    /** What one request has been charged; primitives only, since views must not be kept across calls. */
    private static final class Charged {
        final long id;
        final Tenant tenant;
        final int promptTokens;
        final int maxOutputTokens;
        boolean promptCharged;
        int outputTokens;
        long seenInCall;
        long waitingInCall = Long.MIN_VALUE; // never: a request first seen waiting is not continuing

        Charged(Tenant tenant, SeqView seq) {
            this.id = seq.id();
            this.tenant = tenant;
            this.promptTokens = seq.promptTokens();
            this.maxOutputTokens = seq.maxOutputTokens();
        }
    }

    /** A tenant's waiting requests in arrival order, whether one of them was already waiting at the last call. */
    private static final class Queue {
        final Tenant tenant;
        final ArrayList<SeqView> seqs = new ArrayList<>();
        final ArrayList<Charged> charges = new ArrayList<>();
        int next; // picks taken so far
        boolean continuing;
        double tentative; // the counter with this call's picks charged

        Queue(Tenant tenant) {
            this.tenant = tenant;
        }
    }

    private final double inputWeight;
    private final double outputWeight;
    private final HashMap<String, Tenant> tenants = new HashMap<>();
    private final LongObjectMap<Charged> served = new LongObjectMap<>(32);
    /** Every request in {@link #served}, in the order first seen. */
    private final ArrayList<Charged> live = new ArrayList<>();
    private int seen;
    /** Tenants with requests waiting at the last call. */
    private HashSet<Tenant> waitingTenants = new HashSet<>();
    /** Counter of the tenant whose queue emptied last: the floor for a tenant that starts waiting alone. */
    private double lastLeft;
    private long call;
    /** The most output tokens a request was seen to gain from one call to the next: what one step makes (drafts too). */
    private int stepGain = 1;

    TokenCounters(double inputWeight, double outputWeight) {
        this.inputWeight = inputWeight;
        this.outputWeight = outputWeight;
    }

    @Override
    public Ordering order(SchedulingContext ctx) {
        call++;
        seen = 0;
        for (var seq : ctx.running()) charge(seq, true);
        var queues = new ArrayList<Queue>();
        for (var seq : ctx.waiting()) queue(charge(seq, false), seq, queues);
        chargeFinished();
        lift(queues);
        var order = new Ordering(ctx.running(), queues.size() < 2 ? ctx.waiting() : picks(queues));
        for (var q : queues) q.tenant.queue = null; // views are valid for this call only: keep none
        return order;
    }

    private Tenant tenant(String name) {
        return tenants.computeIfAbsent(name, n -> new Tenant(tenants.size()));
    }

    /** Charges what {@code seq} was served since the last call: its prompt once admitted, and new output tokens. */
    private Charged charge(SeqView seq, boolean running) {
        var c = served.get(seq.id());
        if (c == null) {
            c = new Charged(tenant(seq.tenant()), seq);
            served.put(seq.id(), c);
            live.add(c);
        }
        if (c.seenInCall != call) seen++;
        boolean lastCallToo = c.seenInCall == call - 1;
        c.seenInCall = call;
        if (!c.promptCharged && (running || seq.computedTokens() > 0 || seq.outputTokens() > 0)) {
            c.promptCharged = true;
            c.tenant.counter += inputWeight * c.promptTokens;
        }
        if (seq.outputTokens() > c.outputTokens) {
            if (lastCallToo && running) stepGain = Math.max(stepGain, seq.outputTokens() - c.outputTokens);
            c.tenant.counter += outputWeight * (seq.outputTokens() - c.outputTokens);
            c.outputTokens = seq.outputTokens();
        }
        return c;
    }

    /**
     * A request in neither queue has left since the last call. One that finished made the rest of its output in its
     * last step (at most what a step makes): charged that, and its prompt if it ran only then. One with more left
     * than a step makes left before finishing (cancelled, failed, timed out, lost in a crash): what it was served
     * is charged already, and it was charged its whole output limit besides, which a tenant whose requests fail paid
     * for tokens no one served.
     */
    private void chargeFinished() {
        if (seen == live.size()) return; // the usual step: nothing finished
        int kept = 0;
        for (var c : live) {
            if (c.seenInCall == call) {
                live.set(kept++, c);
                continue;
            }
            int rest = Math.max(0, c.maxOutputTokens - c.outputTokens);
            if (rest <= stepGain) {
                if (!c.promptCharged) c.tenant.counter += inputWeight * c.promptTokens;
                c.tenant.counter += outputWeight * rest;
            }
            served.remove(c.id);
        }
        live.subList(kept, live.size()).clear();
    }

    /**
     * Adds a waiting request to its tenant's queue. A tenant is <em>continuing</em> when one of its requests was
     * already waiting at the last call; otherwise every request it had waiting was admitted in the last step, so its
     * queue was empty for a moment and the requests it has now arrived into an empty queue: the paper's trigger for
     * a lift, which a scheduler that looks only at step boundaries would otherwise miss.
     */
    private void queue(Charged c, SeqView seq, List<Queue> queues) {
        var t = c.tenant;
        if (t.queueCall != call) {
            t.queue = new Queue(t);
            t.queueCall = call;
            queues.add(t.queue);
        }
        var q = t.queue;
        q.seqs.add(seq);
        q.charges.add(c);
        if (c.waitingInCall == call - 1) q.continuing = true;
        c.waitingInCall = call;
    }

    /**
     * Counter lift: a tenant that starts waiting joins at the smallest counter of the tenants that kept waiting;
     * when none did, at the counter of the tenant whose queue emptied last (the largest, if several emptied in the
     * same step). So a tenant cannot bank as credit the service it did not ask for.
     */
    private void lift(List<Queue> queues) {
        double floor = Double.POSITIVE_INFINITY;
        for (var q : queues) {
            if (q.continuing) floor = Math.min(floor, q.tenant.counter);
        }
        double emptied = Double.NEGATIVE_INFINITY;
        for (var t : waitingTenants) {
            boolean waitsNow = t.queueCall == call;
            if (!waitsNow || !t.queue.continuing) emptied = Math.max(emptied, t.counter);
        }
        if (emptied != Double.NEGATIVE_INFINITY) lastLeft = emptied;
        if (floor == Double.POSITIVE_INFINITY) floor = lastLeft;
        var now = new HashSet<Tenant>();
        for (var q : queues) {
            if (!q.continuing && q.tenant.counter < floor) q.tenant.counter = floor;
            q.tentative = q.tenant.counter;
            now.add(q.tenant);
        }
        waitingTenants = now;
    }

    /** The waiting queue in VTC's pick order: always the next request of the tenant with the smallest counter. */
    private List<SeqView> picks(List<Queue> queues) {
        var heap = new PriorityQueue<Queue>((a, b) -> {
            int byCounter = Double.compare(a.tentative, b.tentative);
            return byCounter != 0 ? byCounter : Integer.compare(a.tenant.order, b.tenant.order);
        });
        heap.addAll(queues);
        var order = new ArrayList<SeqView>();
        while (!heap.isEmpty()) {
            var q = heap.poll();
            var c = q.charges.get(q.next);
            order.add(q.seqs.get(q.next++));
            if (!c.promptCharged) q.tentative += inputWeight * c.promptTokens; // as if admitted now
            if (q.next < q.seqs.size()) heap.add(q);
        }
        return order;
    }
}
