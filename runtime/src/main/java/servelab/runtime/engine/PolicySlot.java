package servelab.runtime.engine;

import java.util.Objects;

import servelab.api.PluginDescriptor;

/**
 * The policy of one kind for one replica. The host installs policies from any thread; the engine reads the slot
 * once at the start of every step, so a swap takes effect at the next iteration boundary and never mid-step.
 * The previous policy is kept, so the engine can fall back to it when a newly installed one faults.
 *
 * @param <T> the policy interface
 */
public final class PolicySlot<T> {

    /**
     * A policy instance with what it is and where it came from.
     *
     * @param build the OSGi bundle it came from (0 for the host's own): a rebuilt jar dropped in is a new bundle,
     *              so a fixed build of a version that faulted is told apart from the faulted one
     * @param id {@code name@version}, made once: every iteration row names its scheduler and batcher, and building
     *           the string per step was 5% of a single-replica replay
     */
    public record Installed<T>(T policy, PluginDescriptor descriptor, java.util.Map<String, Object> params,
                               String source, long build, String id) {
        public Installed {
            Objects.requireNonNull(policy, "Installed.policy");
            Objects.requireNonNull(descriptor, "Installed.descriptor");
            params = java.util.Map.copyOf(params);
            Objects.requireNonNull(source, "Installed.source");
            id = descriptor.id();
        }

        public Installed(T policy, PluginDescriptor descriptor, java.util.Map<String, Object> params, String source) {
            this(policy, descriptor, params, source, 0, null);
        }

        public Installed(T policy, PluginDescriptor descriptor, java.util.Map<String, Object> params, String source,
                         long build) {
            this(policy, descriptor, params, source, build, null);
        }

        /** {@code name@version#build}: what a fault marks. */
        public String buildId() {
            return buildId(id, build);
        }

        public static String buildId(String id, long build) {
            return id + "#" + build;
        }

        /** Whether this is the host's own plugin of that name (a bundle may not replace a built-in's behaviour). */
        public boolean isBuiltIn(String name) {
            return source.equals("built-in") && descriptor.name().equals(name);
        }
    }

    private volatile Installed<T> current;
    private Installed<T> previous;
    /** Installs no reader has seen yet ({@link #changesSince}). */
    private final java.util.List<Installed<T>> installs = new java.util.ArrayList<>();
    /** {@code name@version#build} of every policy that faulted in this slot: the registry does not pick them again. */
    private final java.util.Set<String> faulted = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public PolicySlot(Installed<T> initial) {
        this.current = Objects.requireNonNull(initial, "initial policy");
    }

    /** A slot holding a fresh policy of the runtime's own {@code factory}, with default parameters. */
    public static <T> PolicySlot<T> builtIn(servelab.api.PluginFactory<T> factory) {
        var params = servelab.api.Params.defaults(factory.descriptor().params());
        return new PolicySlot<>(new Installed<>(factory.create(params), factory.descriptor(), java.util.Map.of(),
                "built-in"));
    }

    public Installed<T> current() {
        return current;
    }

    /**
     * Makes {@code next} the policy of the next step; the one it replaces becomes the fallback, unless it is the same
     * build with other parameters (a re-tuning), which leaves the fallback as it was: the last other plugin.
     */
    public synchronized void install(Installed<T> next) {
        Objects.requireNonNull(next, "next policy");
        if (!next.buildId().equals(current.buildId())) previous = current;
        current = next;
        installs.add(next);
    }

    /**
     * The policies the slot went through since {@code inUse}, each once and in order, the last one now current: every
     * install since the reader last asked (a switch that the next one replaced before any step used it is on record
     * too, as the switch the user was told of), then the current policy when a revert put it back. Empty when nothing
     * changed. A slot has one reader, which records a swap for each step of the chain and uses its last.
     */
    public synchronized java.util.List<Installed<T>> changesSince(Installed<T> inUse) {
        var chain = new java.util.ArrayList<Installed<T>>();
        var last = inUse;
        for (var next : installs) {
            if (next != last) chain.add(last = next);
        }
        installs.clear();
        if (current != last) chain.add(current);
        return chain;
    }

    /** {@code name@version#build} of the policies that faulted in this slot (a snapshot; see {@link Installed#buildId}). */
    public java.util.Set<String> faulted() {
        return java.util.Set.copyOf(faulted);
    }

    /**
     * Marks {@code faulty} as faulted and puts the fallback back.
     *
     * @return false when there is no fallback (or another swap already replaced {@code faulty})
     */
    public synchronized boolean revert(Installed<T> faulty) {
        faulted.add(faulty.buildId());
        // never back to a build that faulted (re-tuning it once made it its own fallback)
        if (current != faulty || previous == null || faulted.contains(previous.buildId())) return false;
        current = previous;
        previous = null;
        return true;
    }
}
