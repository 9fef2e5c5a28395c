package servelab.api;

import java.util.Arrays;
import java.util.stream.Collectors;

import servelab.api.batch.Batcher;
import servelab.api.kv.Eviction;
import servelab.api.kv.KvAllocator;
import servelab.api.kv.PrefixCache;
import servelab.api.route.Admission;
import servelab.api.route.Router;
import servelab.api.sched.Scheduler;
import servelab.api.spec.Speculator;

/**
 * The closed set of policy kinds. Each kind has one slot per replica in the engine; the id is the value of the
 * {@code servelab.kind} service property and the key used in experiment files.
 */
public enum PluginKind {
    SCHEDULER("scheduler", Scheduler.class),
    BATCHER("batcher", Batcher.class),
    KV_ALLOCATOR("kv-allocator", KvAllocator.class),
    PREFIX_CACHE("prefix-cache", PrefixCache.class),
    EVICTION("eviction", Eviction.class),
    SPECULATOR("speculator", Speculator.class),
    ROUTER("router", Router.class),
    ADMISSION("admission", Admission.class);

    private final String id;
    private final Class<?> policyType;

    PluginKind(String id, Class<?> policyType) {
        this.id = id;
        this.policyType = policyType;
    }

    /** The kind's name in experiment files, service properties and results, for example {@code kv-allocator}. */
    public String id() {
        return id;
    }

    /** The interface a plugin of this kind creates. */
    public Class<?> policyType() {
        return policyType;
    }

    /**
     * The kind named {@code id}.
     *
     * @throws IllegalArgumentException naming the value and listing the accepted ids
     */
    public static PluginKind fromId(String id) {
        for (var kind : values()) {
            if (kind.id.equals(id)) return kind;
        }
        throw new IllegalArgumentException("unknown plugin kind '" + id + "'; accepted: "
                + Arrays.stream(values()).map(PluginKind::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
