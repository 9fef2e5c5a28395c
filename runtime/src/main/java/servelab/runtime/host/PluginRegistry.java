package servelab.runtime.host;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.runtime.engine.PolicySlot;
import servelab.runtime.engine.ReplicaSlots;
import servelab.runtime.engine.SlotTable;
import servelab.runtime.engine.ClusterSlots;

/**
 * Turns plugin services into engine slots. It knows every {@link PluginFactory} service in the framework, which
 * plugin the run selected for each kind, and the slots of every replica; when a newly deployed bundle provides the
 * selected plugin, or a control command asks for another one, it creates one instance per replica and installs
 * it, so the next iteration uses it. Thread-safe.
 */
public final class PluginRegistry {
    /** Every kind, in {@link PluginKind}'s order: the engine has a slot for each (read from the kinds' table). */
    public static final List<PluginKind> SLOTTED = List.of(PluginKind.values());

    private final BundleContext context;
    private final Map<ServiceReference<?>, Plugin> resolved = new ConcurrentHashMap<>();
    private final Map<PluginKind, PluginSelection> selections = new EnumMap<>(PluginKind.class);
    private final List<Map<PluginKind, PolicySlot<?>>> slots = new ArrayList<>();
    /** What each slot map selected (replica groups may differ), so a deployed jar reaches the slots naming it. */
    private final List<Map<PluginKind, PluginSelection>> slotSelections = new ArrayList<>();
    private final Map<PluginKind, String> unread = new EnumMap<>(PluginKind.class);
    private SwitchCheck switchCheck = SwitchCheck.NONE;
    private volatile UndeployedJars undeployed = UndeployedJars.NONE;

    public PluginRegistry(BundleContext context) {
        this.context = context;
        servelab.runtime.builtin.BuiltInPlugins.register(context);
    }

    /** Where plugins not installed yet come from (set by the testbed). */
    void undeployed(UndeployedJars source) {
        this.undeployed = source;
    }

    /** Every plugin the testbed can offer, its undeployed jars deployed first; sorted as {@link #installed()}. */
    public List<Plugin> available() {
        undeployed.deployAll();
        return installed();
    }

    /** Every installed plugin, sorted by kind, name and version. */
    public List<Plugin> installed() {
        var list = new ArrayList<Plugin>();
        for (var ref : references()) {
            var plugin = resolve(ref);
            if (plugin != null) list.add(plugin);
        }
        list.sort(Comparator.comparing((Plugin p) -> p.descriptor().kind()).thenComparing(p -> p.descriptor().name())
                .thenComparing(p -> p.descriptor().version(), Plugin::compareVersions).thenComparingLong(Plugin::bundleId));
        return list;
    }

    /**
     * One line per (kind, name) that more than one installed plugin claims, naming every jar that provides it and
     * the one a run gets ({@link #best}): a copied module that still registers the original's plugin shows here.
     */
    public List<String> duplicates() {
        var byKindAndName = new LinkedHashMap<String, List<Plugin>>();
        for (var plugin : installed()) {
            var d = plugin.descriptor();
            byKindAndName.computeIfAbsent(d.kind().id() + " '" + d.name() + "'", k -> new ArrayList<>()).add(plugin);
        }
        var lines = new ArrayList<String>();
        for (var entry : byKindAndName.entrySet()) {
            var same = entry.getValue();
            if (same.size() < 2) continue;
            var first = same.getFirst().descriptor();
            var chosen = best(PluginSelection.of(first.kind(), first.name()));
            lines.add(entry.getKey() + " is provided by more than one plugin: " + same.stream()
                    .map(p -> p.source() + " (" + p.descriptor().id() + ")").collect(Collectors.joining(", "))
                    + "; runs get the one from " + chosen.source() + " (highest version, then the last installed)");
        }
        return lines;
    }

    /** Plugins provided by one bundle. */
    public List<Plugin> providedBy(Bundle bundle) {
        var refs = bundle.getRegisteredServices();
        var list = new ArrayList<Plugin>();
        if (refs == null) return list;
        for (var ref : refs) {
            if (!isFactory(ref)) continue;
            var plugin = resolve(ref);
            if (plugin == null) {
                throw new PluginException(Plugin.sourceOf(bundle) + ": its plugin factory could not be created: "
                        + ComponentFailures.of(context, bundle));
            }
            list.add(plugin);
        }
        return list;
    }

    /**
     * Creates the slots of a run: one instance of each selected plugin per replica for the replica-scope kinds, one
     * for the cluster for the cluster-scope ones; a kind the run does not select gets its default plugin.
     *
     * @throws PluginException naming the kind and plugin when one is not installed or rejects its parameters
     */
    public synchronized RunSlots createSlots(int replicas, Map<PluginKind, PluginSelection> chosen) {
        return createSlots(java.util.Collections.nCopies(replicas, chosen));
    }

    /**
     * Creates the slots of a run whose replicas may select different plugins of the replica-scope kinds (replica
     * groups): one map per replica. The cluster-scope kinds come from replica 0's map.
     */
    public synchronized RunSlots createSlots(List<Map<PluginKind, PluginSelection>> perReplica) {
        if (!slots.isEmpty()) throw new IllegalStateException("slots were already created for this run");
        if (perReplica.isEmpty()) throw new IllegalArgumentException("a run needs at least one replica");
        for (var kind : PluginKind.values()) selections.put(kind, PluginSelection.of(kind, kind.defaultPlugin()));
        selections.putAll(perReplica.getFirst());
        var replicaSlots = new ArrayList<ReplicaSlots>();
        for (var chosen : perReplica) {
            var own = new EnumMap<>(selections);
            own.putAll(chosen);
            replicaSlots.add(new ReplicaSlots(newSlots(PluginKind.Scope.REPLICA, own)));
        }
        var cluster = new ClusterSlots(newSlots(PluginKind.Scope.CLUSTER, new EnumMap<>(selections)));
        return new RunSlots(replicaSlots, cluster);
    }

    /** One new slot per kind of {@code scope}, remembered with its selections so swaps reach it. */
    private Map<PluginKind, PolicySlot<?>> newSlots(PluginKind.Scope scope, Map<PluginKind, PluginSelection> chosen) {
        var map = new EnumMap<PluginKind, PolicySlot<?>>(PluginKind.class);
        for (var kind : SlotTable.kinds(scope)) {
            map.put(kind, new PolicySlot<>(PluginInstances.create(best(chosen.get(kind)), chosen.get(kind))));
        }
        slots.add(map);
        slotSelections.add(chosen);
        return map;
    }

    /**
     * Forgets the run's slots and what faulted in it, so the next run in this framework starts as in a fresh one
     * (a sweep member runs point after point in one testbed instead of starting the framework for each).
     */
    public synchronized void endRun() {
        slots.clear();
        slotSelections.clear();
        selections.clear();
        unread.clear();
        switchCheck = SwitchCheck.NONE;
    }

    /** What the run checks of a plugin it is switched to, as it checked its experiment (see {@link SwitchCheck}). */
    public synchronized void checkSwitches(SwitchCheck check) {
        switchCheck = check;
    }

    /** Slots the run never consults, each with why: a switch of them is refused, not answered as if it took effect. */
    public synchronized void unread(Map<PluginKind, String> why) {
        unread.putAll(why);
    }

    /** The slots of a run. */
    public record RunSlots(List<ReplicaSlots> replicas, ClusterSlots cluster) {}

    /**
     * Installs {@code plugins} (just deployed) into every slot whose selection names them.
     *
     * @return what was swapped, one line per kind
     * @throws PluginCreateFault when a plugin rejects the run's parameters or throws while being created (no slot changes)
     */
    public synchronized List<String> offer(List<Plugin> plugins) {
        // every instance first, then the swaps: a bundle whose second plugin threw had swapped its first one in, and
        // the deployer then uninstalled the bundle under the running slot
        var prepared = new ArrayList<Prepared>();
        for (var plugin : plugins) {
            var kind = plugin.descriptor().kind();
            var naming = new ArrayList<Integer>();
            for (int i = 0; i < slots.size(); i++) {
                var selection = slotSelections.get(i).get(kind);
                if (slots.get(i).containsKey(kind) && selection.name().equals(plugin.descriptor().name())) naming.add(i);
            }
            if (naming.isEmpty()) continue;
            try { prepared.add(prepare(plugin, naming)); } catch (RuntimeException e) { // its fault: slots keep theirs
                throw new PluginCreateFault(kind, plugin.descriptor().id(), slots.get(naming.getFirst()).get(kind).current().id(), e);
            }
        }
        return prepared.stream().map(this::commit).toList();
    }

    /**
     * Switches a slot of every replica to another installed plugin (the control command {@code switch}). The name may
     * end in {@code @VERSION} to ask for that version, even one that faulted in this run (which a plain name skips).
     *
     * A plugin no deployed bundle provides is deployed first from the testbed's jars.
     *
     * @return {@code kind old -> new}
     */
    public String switchTo(PluginSelection asked) {
        synchronized (this) {
            if (slots.isEmpty()) throw new PluginException("no run is going: nothing to switch");
        }
        if (!isInstalled(asked)) undeployed.deploy(asked); // outside this lock (see UndeployedJars)
        // a name no jar provides: deploy the jars of its kind (not the others), so the message lists every plugin
        // of the kind there is, not the run's own
        if (!isInstalled(asked)) undeployed.deployKind(asked.kind());
        return switchInstalled(asked);
    }

    private boolean isInstalled(PluginSelection asked) {
        int at = asked.name().indexOf('@');
        String name = at < 0 ? asked.name() : asked.name().substring(0, at);
        return installed().stream().map(Plugin::descriptor).anyMatch(d -> d.kind() == asked.kind()
                && d.name().equals(name) && (at < 0 || d.version().equals(asked.name().substring(at + 1))));
    }

    private synchronized String switchInstalled(PluginSelection asked) {
        if (slots.isEmpty()) throw new PluginException("no run is going: nothing to switch");
        if (unread.containsKey(asked.kind())) {
            throw new PluginException("this run never consults its " + asked.kind().id() + " slot: "
                    + unread.get(asked.kind()));
        }
        var plugin = best(asked);
        // slots remember the name only, so that a jar of a newer version dropped later still reaches them
        var selection = new PluginSelection(asked.kind(), plugin.descriptor().name(), asked.params(), asked.paramsKey());
        var every = new ArrayList<Integer>();
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i).containsKey(selection.kind())) every.add(i);
        }
        var previous = new ArrayList<PluginSelection>();
        for (int i : every) previous.add(slotSelections.get(i).put(selection.kind(), selection));
        try {
            var prepared = prepare(plugin, every);
            switchCheck.check(selection.kind(), selection.name(), prepared.instances().getFirst().params());
            String line = commit(prepared);
            selections.put(selection.kind(), selection);
            var params = prepared.instances().getFirst().params(); // defaults too: a plain switch resets, said here
            return line + " " + new java.util.TreeMap<>(params); // {} for a plugin without parameters: one shape
        } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) { // nothing was installed: the slots keep their selections too
            for (int k = 0; k < every.size(); k++) slotSelections.get(every.get(k)).put(selection.kind(), previous.get(k));
            throw e;
        }
    }

    /** A new instance of a plugin for each slot map of {@code targets}, with its own parameters, made before any slot changes. */
    private record Prepared(Plugin plugin, List<Integer> targets, List<PolicySlot.Installed<Object>> instances) {}

    private Prepared prepare(Plugin plugin, List<Integer> targets) {
        var kind = plugin.descriptor().kind();
        var instances = new ArrayList<PolicySlot.Installed<Object>>();
        for (int i : targets) instances.add(PluginInstances.create(plugin, slotSelections.get(i).get(kind))); // all or nothing
        return new Prepared(plugin, targets, instances);
    }

    /** Installs the prepared instances: the swap. */
    @SuppressWarnings("unchecked")
    private String commit(Prepared p) {
        var kind = p.plugin().descriptor().kind();
        String before = slots.get(p.targets().getFirst()).get(kind).current().id();
        for (int k = 0; k < p.targets().size(); k++) {
            ((PolicySlot<Object>) slots.get(p.targets().get(k)).get(kind)).install(p.instances().get(k));
        }
        return kind.id() + " " + before + " -> " + p.plugin().descriptor().id();
    }

    /** Every slot of {@code kind}: one per replica, or the cluster's one. */
    @SuppressWarnings("unchecked")
    private List<PolicySlot<Object>> slotsOf(PluginKind kind) {
        var list = new ArrayList<PolicySlot<Object>>();
        for (var map : slots) {
            var slot = map.get(kind);
            if (slot != null) list.add((PolicySlot<Object>) slot);
        }
        return list;
    }

    /** A plugin's instance outside any run (cache replay, a sweep's check); errors name the plugin or parameter. */
    public PolicySlot.Installed<Object> instantiate(PluginSelection selection) {
        return PluginInstances.create(best(selection), selection);
    }

    /**
     * The plugin in the first slot of {@code kind} (replica 0's, or the cluster's), with the parameters it was given,
     * defaults included.
     */
    public synchronized PolicySlot.Installed<?> current(PluginKind kind) {
        if (slots.isEmpty()) throw new PluginException("no run is going: no slots");
        return slotsOf(kind).getFirst().current();
    }

    /** The plugin in replica {@code replica}'s slot of a replica kind (a group may differ from replica 0). */
    public synchronized PolicySlot.Installed<?> current(PluginKind kind, int replica) {
        return slots.get(replica).get(kind).current();
    }

    /**
     * The plugin a selection names: the highest version installed whose build has not faulted in this run (a rebuilt
     * jar is a new build), the most recently installed on a tie; {@code name@VERSION} asks for that version, faulted or not.
     */
    Plugin best(PluginSelection selection) {
        int at = selection.name().indexOf('@');
        String name = at < 0 ? selection.name() : selection.name().substring(0, at);
        String version = at < 0 ? null : selection.name().substring(at + 1);
        var named = installed().stream()
                .filter(p -> p.descriptor().kind() == selection.kind() && p.descriptor().name().equals(name))
                .filter(p -> version == null || p.descriptor().version().equals(version)).toList();
        if (named.isEmpty()) {
            throw new PluginException("unknown " + selection.kind().id() + " '" + selection.name() + "'; installed: "
                    + names(selection.kind()));
        }
        var faulted = faultedBuilds(selection.kind());
        var usable = version == null ? named.stream()
                .filter(p -> !faulted.contains(PolicySlot.Installed.buildId(p.descriptor().id(), p.bundleId()))).toList() : named;
        if (usable.isEmpty()) {
            throw new PluginException(selection.kind().id() + " " + named.stream().map(p -> p.descriptor().id()).distinct()
                    .collect(Collectors.joining(", ")) + " faulted in this run (see the events); to try it again, ask "
                    + "for the version: " + named.getLast().descriptor().id());
        }
        return usable.stream()
                .reduce((a, b) -> Plugin.compareVersions(a.descriptor().version(), b.descriptor().version()) > 0 ? a : b)
                .orElseThrow();
    }

    /** {@code name@version#build} of the plugins of {@code kind} that faulted in any slot of this run. */
    public synchronized java.util.Set<String> faultedBuilds(PluginKind kind) {
        var ids = new java.util.TreeSet<String>();
        for (var slot : slotsOf(kind)) ids.addAll(slot.faulted());
        return ids;
    }

    private String names(PluginKind kind) {
        var names = installed().stream().filter(p -> p.descriptor().kind() == kind)
                .map(p -> p.descriptor().id()).distinct().collect(Collectors.joining(", "));
        return names.isEmpty() ? "none" : names;
    }

    private List<ServiceReference<?>> references() {
        try {
            var refs = context.getServiceReferences(PluginFactory.class.getName(), null);
            return refs == null ? List.of() : List.of(refs);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isFactory(ServiceReference<?> ref) {
        var classes = (String[]) ref.getProperty(org.osgi.framework.Constants.OBJECTCLASS);
        return classes != null && List.of(classes).contains(PluginFactory.class.getName());
    }

    /** The plugin behind a service reference, or null when its component failed to activate. */
    private Plugin resolve(ServiceReference<?> ref) {
        resolved.keySet().removeIf(r -> r.getBundle() == null); // unregistered services
        var known = resolved.get(ref);
        if (known != null) return known;
        var bundle = ref.getBundle();
        if (bundle == null) return null;
        var service = context.getService(ref);
        if (!(service instanceof PluginFactory<?> factory)) return null;
        PluginDescriptor descriptor;
        try {
            descriptor = factory.descriptor();
        } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
            throw new PluginException(Plugin.sourceOf(bundle) + ": descriptor() threw: " + e, e);
        }
        var plugin = new Plugin(factory, descriptor, Plugin.sourceOf(bundle), bundle.getBundleId());
        resolved.put(ref, plugin);
        return plugin;
    }
}
