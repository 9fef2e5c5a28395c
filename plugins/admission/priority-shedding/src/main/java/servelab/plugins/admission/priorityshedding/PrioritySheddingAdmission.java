package servelab.plugins.admission.priorityshedding;

import java.util.List;
import java.util.TreeSet;

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
 * Priority shedding: under load, the least urgent requests go first. The load is the mean number of waiting
 * requests per available replica. From {@code shed_at} on, the least urgent priority class seen so far is rejected;
 * every {@code step} more sheds the next class, up to all but the most urgent one (priority: smaller is more
 * urgent, as in vLLM). Below {@code shed_at} everything is admitted. This is the criticality-based shedding of
 * Google's SRE book ("Handling Overload") applied to priority classes.
 *
 * <p>Cost per decision: O(n) view reads and O(classes) to find the cut-off; a new priority class allocates a set
 * node once.
 */
@Component(service = PluginFactory.class)
public final class PrioritySheddingAdmission implements PluginFactory<Admission> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.ADMISSION, "priority-shedding",
            "1.0.0", "Under load, rejects the least urgent priority classes first.",
            List.of(ParamSpec.ofDouble("shed_at", 8, 0, 1e9,
                            "mean waiting requests per available replica at which the least urgent class is shed"),
                    ParamSpec.ofDouble("step", 4, 1e-9, 1e9, "each further step of mean waiting sheds one more class")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Admission create(Params params) {
        return new Shedder(params.getDouble("shed_at"), params.getDouble("step"));
    }

    static final class Shedder implements Admission {
        private final double shedAt;
        private final double step;
        private final TreeSet<Integer> classes = new TreeSet<>();

        Shedder(double shedAt, double step) {
            this.shedAt = shedAt;
            this.step = step;
        }

        @Override
        public Decision admit(RequestView request, List<ReplicaView> replicas) {
            classes.add(request.priority());
            long waiting = 0;
            int available = 0;
            for (var r : replicas) {
                if (!r.isAvailable()) continue;
                waiting += r.waitingRequests();
                available++;
            }
            if (available == 0) return new Reject("no replica is available");
            double load = (double) waiting / available;
            if (load < shedAt) return ADMIT;
            int shed = (int) Math.min(classes.size() - 1, 1 + Math.floor((load - shedAt) / step));
            if (shed <= 0) return ADMIT;
            int cutoff = nthLeastUrgent(shed);
            if (request.priority() < cutoff) return ADMIT;
            return new Reject(String.format(java.util.Locale.ROOT,
                    "load %.1f waiting per replica (shed_at %s): shedding the %d least urgent of %d priority classes,"
                            + " priority >= %d", load, shedAt, shed, classes.size(), cutoff));
        }

        /** The priority of the {@code n}-th least urgent class seen (n = 1: the largest priority value). */
        private int nthLeastUrgent(int n) {
            var it = classes.descendingIterator();
            int p = it.next();
            for (int k = 1; k < n; k++) p = it.next();
            return p;
        }
    }
}
