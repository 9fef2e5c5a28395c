package servelab.runtime.host;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * Installs plugin jars as bundles. A new or changed jar is installed beside whatever the same file provided
 * before and started; only when it resolves, starts and its plugin factories can be created (and, for a run,
 * its selected plugin accepts the run's parameters) is the old bundle uninstalled. Otherwise the new bundle is
 * removed again and the failure reported with the file name and the reason: a broken jar never disturbs what is
 * installed. Thread-safe.
 */
public final class BundleDeployer {
    private static final long REGISTRATION_TIMEOUT_NANOS = 5_000_000_000L;

    private final BundleContext context;
    private final PluginRegistry registry;
    private final HostListener listener;
    /** Bundle currently deployed from each jar path, and the digest of the bytes it came from. */
    private final Map<Path, Deployed> deployed = new ConcurrentHashMap<>();

    private record Deployed(Bundle bundle, String digest) {}

    public BundleDeployer(BundleContext context, PluginRegistry registry, HostListener listener) {
        this.context = context;
        this.registry = registry;
        this.listener = listener;
    }

    /** Deploys every {@code *.jar} in {@code dir}, in file-name order; failures are reported, not thrown. */
    public void deployAll(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (var jar : files.filter(BundleDeployer::isJar).sorted().toList()) deploy(jar);
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
        jar = jar.toAbsolutePath().normalize();
        String file = jar.getFileName().toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(jar);
        } catch (IOException e) {
            listener.report("fault", "", "", "", file + ": cannot read: " + e.getMessage());
            return false;
        }
        var content = JarContent.read(bytes);
        String digest = content.digest();
        var old = deployed.get(jar);
        // a rebuild of unchanged sources gives a jar with new timestamps but the same entries: swapping the plugin
        // for a copy of itself would only throw away its state
        if (old != null && old.digest.equals(digest)) return false;
        String problem = content.problem();
        if (problem != null) {
            listener.report("fault", "", "", "", file + ": not a plugin bundle: " + problem + "; nothing changed");
            return false;
        }
        Bundle bundle = null;
        try {
            bundle = context.installBundle(jar.toUri() + "#" + digest.substring(0, 12), new ByteArrayInputStream(bytes));
            bundle.start();
            awaitRegistrations(bundle);
            var plugins = registry.providedBy(bundle);
            var swaps = registry.offer(plugins);
            if (old != null) old.bundle.uninstall();
            deployed.put(jar, new Deployed(bundle, digest));
            listener.report("deploy", "", "", "", file + ": " + (plugins.isEmpty() ? "no plugins"
                    : String.join(", ", plugins.stream().map(p -> p.descriptor().kind().id() + " "
                            + p.descriptor().id()).toList())) + (swaps.isEmpty() ? "" : "; swapped " + swaps));
            return true;
        } catch (BundleException | RuntimeException e) {
            if (bundle != null) uninstallQuietly(bundle);
            String kept = old == null ? "nothing installed from it" : "the previous version stays";
            listener.report("fault", "", "", "", file + ": " + reason(e) + "; " + kept);
            return false;
        }
    }

    /** Uninstalls what {@code jar} provided (the file was deleted); running slots keep their policy instances. */
    public synchronized void remove(Path jar) {
        var old = deployed.remove(jar.toAbsolutePath().normalize());
        if (old == null) return;
        uninstallQuietly(old.bundle);
        listener.report("info", "", "", "", jar.getFileName() + ": removed");
    }

    /** Declarative Services registers components as the bundle starts; wait until each declared one appears. */
    private void awaitRegistrations(Bundle bundle) {
        String header = bundle.getHeaders().get("Service-Component");
        int expected = header == null ? 0 : header.split(",").length;
        long deadline = System.nanoTime() + REGISTRATION_TIMEOUT_NANOS;
        while (registered(bundle) < expected) {
            if (System.nanoTime() > deadline) {
                throw new PluginException("declares " + expected + " components but registered " + registered(bundle)
                        + " services within 5 s: " + registry.componentFailure(bundle));
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

    private static String reason(Exception e) {
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
