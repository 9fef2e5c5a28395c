package servelab.runtime.engine;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import servelab.api.PluginKind;

/**
 * The policy slots of one scope ({@link PluginKind#scope()}): one {@link PolicySlot} for each kind of that scope,
 * no more, no less, so a kind added to {@link PluginKind} gets its slot without any change here.
 */
public abstract sealed class SlotTable permits ReplicaSlots, ClusterSlots {
    private final EnumMap<PluginKind, PolicySlot<?>> slots = new EnumMap<>(PluginKind.class);

    SlotTable(PluginKind.Scope scope, Map<PluginKind, ? extends PolicySlot<?>> slots) {
        for (var kind : kinds(scope)) {
            var slot = Objects.requireNonNull(slots.get(kind), () -> kind.id() + " slot");
            var policy = slot.current().policy();
            if (!kind.policyType().isInstance(policy)) {
                throw new IllegalArgumentException(kind.id() + " slot holds a " + policy.getClass().getName()
                        + ", not a " + kind.policyType().getSimpleName());
            }
            this.slots.put(kind, slot);
        }
        for (var kind : slots.keySet()) {
            if (kind.scope() != scope) {
                throw new IllegalArgumentException(kind.id() + " is a " + kind.scope() + " kind, not a " + scope + " one");
            }
        }
    }

    /** The kinds of {@code scope}, in {@link PluginKind}'s order. */
    public static Set<PluginKind> kinds(PluginKind.Scope scope) {
        var kinds = EnumSet.noneOf(PluginKind.class);
        for (var kind : PluginKind.values()) if (kind.scope() == scope) kinds.add(kind);
        return kinds;
    }

    /**
     * The slot of {@code kind}, typed by its policy interface.
     *
     * @throws IllegalArgumentException when {@code type} is not the kind's policy interface or the kind has no slot
     *                                  here (another scope)
     */
    @SuppressWarnings("unchecked")
    public final <T> PolicySlot<T> slot(PluginKind kind, Class<T> type) {
        if (kind.policyType() != type) {
            throw new IllegalArgumentException(kind.id() + " policies are " + kind.policyType().getSimpleName()
                    + ", not " + type.getSimpleName());
        }
        var slot = slots.get(kind);
        if (slot == null) throw new IllegalArgumentException("no " + kind.id() + " slot here (a " + kind.scope() + " kind)");
        return (PolicySlot<T>) slot; // the constructor checked the policy's type; the registry checks every install
    }

    /** Kind id to the id of the plugin in its slot now, e.g. {@code scheduler -> sjf} (for span attributes). */
    public final java.util.Map<String, String> currentIds() {
        var ids = new java.util.LinkedHashMap<String, String>();
        slots.forEach((kind, slot) -> ids.put(kind.id(), slot.current().id()));
        return ids;
    }
}
