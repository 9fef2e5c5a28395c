package servelab.runtime.engine;

import java.util.Map;

import servelab.api.PluginKind;
import servelab.api.route.Admission;
import servelab.api.route.Router;

/** The cluster's policy slots: one per kind of {@link PluginKind.Scope#CLUSTER cluster scope}. */
public final class ClusterSlots extends SlotTable {
    /** @param slots one slot per cluster-scope kind */
    public ClusterSlots(Map<PluginKind, ? extends PolicySlot<?>> slots) {
        super(PluginKind.Scope.CLUSTER, slots);
    }

    public ClusterSlots(PolicySlot<Router> router, PolicySlot<Admission> admission) {
        this(withNone(Map.of(PluginKind.ROUTER, router, PluginKind.ADMISSION, admission)));
    }

    /** {@code slots} with every cluster kind it lacks filled by that kind's built-in {@code none} plugin. */
    private static Map<PluginKind, PolicySlot<?>> withNone(Map<PluginKind, PolicySlot<?>> slots) {
        var all = new java.util.EnumMap<PluginKind, PolicySlot<?>>(slots);
        for (var none : servelab.runtime.builtin.Resilience.NONE) {
            var d = none.descriptor();
            all.computeIfAbsent(d.kind(), k -> PolicySlot.builtIn(none));
        }
        return all;
    }

    public PolicySlot<Router> router() {
        return slot(PluginKind.ROUTER, Router.class);
    }

    public PolicySlot<Admission> admission() {
        return slot(PluginKind.ADMISSION, Admission.class);
    }
}
