package servelab.plugins.admission.boundedqueue;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.route.Admission;
import servelab.api.route.ReplicaView;
import servelab.api.route.RequestView;

/**
 * Bounded queues, the simplest backpressure: reject when the cluster already has {@code max_waiting_total}
 * requests waiting, or when no available replica has fewer than {@code max_waiting_per_replica} waiting (the
 * router could not place the request anywhere with room). 0 turns a bound off. Bounded queues keep the tail of
 * the admitted requests short under overload where accept-all lets every queue grow (the admission experiment of
 * BLIS; the load-shedding argument of Bronson et al., "Metastable Failures in Distributed Systems", HotOS 2021).
 *
 * <p>Cost per decision: O(n) view reads, no allocation when admitting.
 */
@Component(service = PluginFactory.class)
public final class BoundedQueueAdmission implements PluginFactory<Admission> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.ADMISSION, "bounded-queue",
            "1.0.0", "Rejects when every available replica's waiting queue, or the cluster's, is full.",
            List.of(ParamSpec.ofInt("max_waiting_per_replica", 64, 0, 1_000_000_000,
                            "reject when no available replica has fewer waiting requests (0: no bound)"),
                    ParamSpec.ofInt("max_waiting_total", 0, 0, 1_000_000_000,
                            "reject when the cluster has this many waiting requests (0: no bound)")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Admission create(Params params) {
        int perReplica = params.getInt("max_waiting_per_replica");
        int total = params.getInt("max_waiting_total");
        return (request, replicas) -> decide(replicas, perReplica, total);
    }

    static Admission.Decision decide(List<ReplicaView> replicas, int perReplica, int maxTotal) {
        long waiting = 0;
        boolean room = false;
        int available = 0;
        for (var r : replicas) {
            waiting += r.waitingRequests();
            if (!r.isAvailable()) continue;
            available++;
            room |= perReplica == 0 || r.waitingRequests() < perReplica;
        }
        if (maxTotal > 0 && waiting >= maxTotal) {
            return new Admission.Reject("cluster queue full: " + waiting + " requests waiting, max_waiting_total "
                    + maxTotal);
        }
        if (available == 0) return new Admission.Reject("no replica is available");
        if (!room) {
            return new Admission.Reject("every available replica's queue is full: max_waiting_per_replica "
                    + perReplica + " on all " + available);
        }
        return Admission.ADMIT;
    }
}
