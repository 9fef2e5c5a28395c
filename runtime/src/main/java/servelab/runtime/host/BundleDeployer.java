package servelab.runtime.host;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * Installs plugin jars as bundles. A new or changed jar is installed beside whatever the same file provided
 * before and started; only when it resolves, starts and its plugin factories can be created (and, for a run,
 * its selected plugin accepts the run's parameters) is the old bundle uninstalled. Otherwise the new bundle is
 * removed again and the failure reported with the file name and the reason: a broken jar never disturbs what is
 * installed. A jar that deployed is remembered in the {@link PluginIndex}, so a run can deploy only the jars that
 * provide what it selects ({@link #deployFor}) and the rest when asked ({@link #deployProviders}). Thread-safe.
 */
public final class BundleDeployer {
    private static final long REGISTRATION_TIMEOUT_NANOS = 5_000_000_000L;

    private final BundleContext context;
    private final PluginRegistry registry;
    private final HostListener listener;
    private final PluginIndex index;
    /** Bundle currently deployed from each jar path, and the digest of the bytes it came from. */
    private final Map<Path, Deployed> deployed = new ConcurrentHashMap<>();
    /** The digest of each jar whose last deployment failed (reported then), so asking again does not repeat it. */
    private final Map<Path, String> refused = new ConcurrentHashMap<>();
    /**
     * Jars that held a deployed jar's content under another name when they came (a copy, or a rename's new name):
     * not installed (the plugin would be swapped for a copy of itself, its state lost), said once, and left so while
     * their bytes stay the same. When the jar they copied goes, a copy of its content inherits its bundle, and one of
     * an earlier content of it is deployed then, as a fresh start of the folder would deploy it.
     */
    private final Map<Path, Twin> twins = new ConcurrentHashMap<>();

    /** A jar with {@code digest}'s content, which {@code of} held when it came. */
    private record Twin(String digest, Path of) {}

    private record Deployed(Bundle bundle, String digest) {}

    /** A jar read from disk: its bytes and what they hold. */
    private record Read(Path jar, byte[] bytes, JarContent content) {}

    public BundleDeployer(BundleContext context, PluginRegistry registry, HostListener listener) {
        this(context, registry, listener, PluginIndex.NONE);
    }

    public BundleDeployer(BundleContext context, PluginRegistry registry, HostListener listener, PluginIndex index) {
        this.context = context;
        this.registry = registry;
        this.listener = listener;
        this.index = index;
    }

    /** Deploys every {@code *.jar} in {@code dir}, in file-name order; failures are reported, not thrown. */
    public void deployAll(Path dir) throws IOException {
        for (var jar : jars(dir)) deploy(jar);
    }

    /**
     * Deploys, in file-name order, the jars in {@code dir} that may provide one of {@code wanted} (index keys,
     * {@code kind name}): those the index says provide one, those it does not know (deploying them teaches it),
     * and those that export packages (a plugin bundle may import them). The others are left for
     * {@link #deployProviders}; with {@link PluginIndex#NONE} every jar is deployed.
     */
    public void deployFor(Path dir, Set<String> wanted) throws IOException {
        for (var jar : jars(dir)) {
            var read = read(jar);
            if (read != null && mayProvide(read.content, wanted::contains)) deploy(read);
        }
    }

    /**
     * Deploys the jars in {@code dir} not deployed yet that may provide {@code wanted} (an index key), or every
     * one when {@code wanted} is null; a jar whose content already failed is not tried again.
     *
     * @return whether a jar was deployed
     */
    public boolean deployProviders(Path dir, String wanted) throws IOException {
        return wanted == null ? deployUndeployed(dir, content -> true) : deployUndeployed(dir, content -> mayProvide(content, wanted::equals));
    }

    /**
     * Deploys the jars in {@code dir} not deployed yet that may provide a plugin of kind {@code kindId}: enough to
     * name every plugin of that kind, without deploying (and recording) the jars of other kinds.
     *
     * @return whether a jar was deployed
     */
    public boolean deployKind(Path dir, String kindId) throws IOException {
        return deployUndeployed(dir, content -> mayProvide(content, key -> key.startsWith(kindId + " ")));
    }

    private synchronized boolean deployUndeployed(Path dir, Predicate<JarContent> take) throws IOException {
        boolean any = false;
        for (var jar : jars(dir)) {
            var path = jar.toAbsolutePath().normalize();
            if (deployed.containsKey(path)) continue;
            var read = read(jar);
            if (read == null || read.content.digest().equals(refused.get(path))) continue;
            if (take.test(read.content)) any |= deploy(read);
        }
        return any;
    }

    /** Whether a jar may provide a plugin whose index key passes {@code wanted}: the index says so or does not know. */
    private boolean mayProvide(JarContent content, Predicate<String> wanted) {
        if (content.exports()) return true;
        var provided = index.provided(content.digest());
        return provided.isEmpty() || provided.get().stream().anyMatch(wanted);
    }

    private static List<Path> jars(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(BundleDeployer::isJar).sorted().toList();
        }
    }

    static boolean isJar(Path p) {
        return p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p);
    }

    /**
     * Deploys {@code jar} if its content is new.
     *
     * @return true when a bundle was installed or updated, false when nothing changed or it failed (reported)
     */
    public synchronized boolean deploy(Path jar) {
        var read = read(jar);
        return read != null && deploy(read);
    }

    /** The jar's bytes and content, or null when it cannot be read (reported). */
    private Read read(Path jar) {
        jar = jar.toAbsolutePath().normalize();
        try {
            byte[] bytes = Files.readAllBytes(jar);
            return new Read(jar, bytes, JarContent.read(bytes));
        } catch (IOException e) {
            listener.report("fault", "", "", "", jar.getFileName() + ": cannot read: " + e.getMessage());
            return null;
        }
    }

    private synchronized boolean deploy(Read read) {
        var jar = read.jar;
        String file = jar.getFileName().toString();
        var content = read.content;
        String digest = content.digest();
        var old = deployed.get(jar);
        // a rebuild of unchanged sources gives a jar with new timestamps but the same entries: swapping the plugin
        // for a copy of itself would only throw away its state
        if (old != null && old.digest.equals(digest)) return false;
        var known = twins.get(jar);
        if (known != null && known.digest.equals(digest)) return false; // seen as a copy: nothing new (ctl plugins too)
        var twin = deployed.entrySet().stream().filter(e -> !e.getKey().equals(jar) && e.getValue().digest.equals(digest))
                .map(Map.Entry::getKey).findFirst();
        if (twin.isPresent()) {
            String same = file + ": the same bundle as " + twin.get().getFileName() + " (the same content)";
            if (old != null) {
                deployed.remove(jar, old);
                release(jar, old, same + "; what it held before goes");
            } else {
                listener.report("info", "", "", "", same + "; nothing changed");
            }
            twins.put(jar, new Twin(digest, twin.get()));
            return false;
        }
        twins.remove(jar);
        String problem = content.problem();
        if (problem != null) {
            refused.put(jar, digest);
            listener.report("fault", "", "", "", file + ": not a plugin bundle: " + problem + "; nothing changed");
            return false;
        }
        Bundle bundle = null;
        try {
            bundle = context.installBundle(jar.toUri() + "#" + digest.substring(0, 12),
                    new ByteArrayInputStream(read.bytes));
            bundle.start();
            awaitRegistrations(bundle);
            var plugins = registry.providedBy(bundle);
            index.remember(digest, plugins);
            var swaps = registry.offer(plugins);
            if (old != null && !passedOn(jar, old)) old.bundle.uninstall();
            deployed.put(jar, new Deployed(bundle, digest));
            refused.remove(jar);
            listener.report("deploy", "", "", "", file + ": " + (plugins.isEmpty() ? "no plugins"
                    : String.join(", ", plugins.stream().map(p -> p.descriptor().kind().id() + " "
                            + p.descriptor().id()).toList())) + (swaps.isEmpty() ? "" : "; swapped " + swaps));
            for (var p : plugins) { // another jar's plugin of the same name@version: the tables cannot tell them apart
                registry.installed().stream().filter(q -> q.bundleId() != p.bundleId()
                                && q.descriptor().kind() == p.descriptor().kind() && q.descriptor().id().equals(p.descriptor().id()))
                        .findFirst().ifPresent(q -> listener.report("info", "", "", "", file + ": "
                                + p.descriptor().kind().id() + " " + p.descriptor().id() + " is also in " + q.source()
                                + "; runs now take this jar's, and the results name both alike (raise the version)"));
            }
            return true;
        } catch (BundleException | RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
            if (bundle != null) uninstallQuietly(bundle);
            refused.put(jar, digest);
            String kept = old == null ? "nothing installed from it" : "the previous version stays";
            String why = reason(e);
            if (why.startsWith(file + ": ")) why = why.substring(file.toString().length() + 2); // named once
            if (e instanceof PluginCreateFault f) { // a plugin's fault, for its history: the slots keep their plugin
                listener.report("fault", f.kind().id(), f.plugin(), "reverted", file + ": " + why + "; " + kept
                        + " (its slots keep " + f.kept() + ")");
            } else {
                listener.report("fault", "", "", "", file + ": " + why + "; " + kept);
            }
            return false;
        }
    }

    /**
     * Withdraws what {@code jar} provided (the file was deleted); running slots keep their policy instances. The
     * bundle is stopped, not uninstalled: its plugins leave the registry, but its classes stay loadable for the
     * instances still running (uninstalled, the framework dropped its wiring, and a policy's first load of another
     * of its classes failed with NoClassDefFoundError mid-run). The framework's stop takes it away.
     */
    public synchronized void remove(Path jar) {
        var path = jar.toAbsolutePath().normalize();
        twins.remove(path);
        var old = deployed.remove(path);
        if (old != null) release(path, old, jar.getFileName() + ": removed");
    }

    /**
     * {@code path} no longer holds {@code old}'s bundle (the jar went, or now copies another): a copy of it inherits the
     * bundle (the other copies now copy that one), else the bundle is withdrawn and the copies of what it held before
     * are deployed, as a fresh start of the folder would deploy them.
     */
    private void release(Path path, Deployed old, String message) {
        var heir = heir(path, old);
        if (heir != null) {
            listener.report("info", "", "", "", message + "; its bundle stays, the same as " + heir.getFileName() + "'s");
            return;
        }
        withdraw(path, old, message);
        for (var c : copiesOf(path)) {
            twins.remove(c);
            if (isJar(c)) deploy(c);
        }
    }

    /** {@code path} has new content: a copy of what it held keeps that bundle (a fresh start would install both). */
    private boolean passedOn(Path path, Deployed old) {
        var heir = heir(path, old);
        if (heir != null) {
            listener.report("info", "", "", "", path.getFileName() + "'s earlier bundle stays, the same as "
                    + heir.getFileName() + "'s");
        }
        return heir != null;
    }

    /** The copy of {@code old}'s bytes that takes its bundle over from {@code path} (the other copies copy it then). */
    private Path heir(Path path, Deployed old) {
        var copies = copiesOf(path);
        var heir = copies.stream().filter(c -> twins.get(c).digest.equals(old.digest)).findFirst().orElse(null);
        if (heir == null) return null;
        twins.remove(heir);
        deployed.put(heir, old);
        for (var c : copies) twins.computeIfPresent(c, (k, t) -> new Twin(t.digest, heir));
        return heir;
    }

    private List<Path> copiesOf(Path path) {
        return twins.entrySet().stream().filter(e -> e.getValue().of.equals(path)).map(Map.Entry::getKey).toList();
    }

    /** Stops the bundle {@code jar} had deployed (its plugins leave the registry) and says {@code message}. */
    private void withdraw(Path jar, Deployed old, String message) {
        deployed.remove(jar, old);
        try {
            old.bundle.stop();
        } catch (BundleException | IllegalStateException e) {
            uninstallQuietly(old.bundle);
        }
        listener.report("info", "", "", "", message);
    }

    /** Declarative Services registers components as the bundle starts; wait until each declared one appears. */
    private void awaitRegistrations(Bundle bundle) {
        String header = bundle.getHeaders().get("Service-Component");
        int expected = header == null ? 0 : header.split(",").length;
        long deadline = System.nanoTime() + REGISTRATION_TIMEOUT_NANOS;
        while (registered(bundle) < expected) {
            if (System.nanoTime() > deadline) {
                throw new PluginException("declares " + expected + " components but registered " + registered(bundle)
                        + " services within 5 s: " + ComponentFailures.of(context, bundle));
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PluginException("interrupted while waiting for " + bundle.getSymbolicName());
            }
        }
    }

    private static int registered(Bundle bundle) {
        var refs = bundle.getRegisteredServices();
        return refs == null ? 0 : refs.length;
    }

    private static String reason(Throwable e) {
        var message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof BundleException be && be.getType() == BundleException.RESOLVE_ERROR) {
            return "cannot resolve: " + message;
        }
        if (e instanceof BundleException && e.getCause() != null) message += ": " + e.getCause();
        return message;
    }

    private static void uninstallQuietly(Bundle bundle) {
        try {
            bundle.uninstall();
        } catch (BundleException | IllegalStateException ignored) {
            // already gone
        }
    }

    List<Path> deployedJars() {
        return List.copyOf(deployed.keySet());
    }
}
