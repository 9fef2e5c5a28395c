package servelab.runtime.host;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarInputStream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;

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
        String digest = sha256(bytes);
        var old = deployed.get(jar);
        if (old != null && old.digest.equals(digest)) return false;
        String problem = checkManifest(bytes);
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

    /** The first problem that makes {@code bytes} unusable as a bundle, or null. */
    private static String checkManifest(byte[] bytes) {
        try (var in = new JarInputStream(new ByteArrayInputStream(bytes))) {
            var manifest = in.getManifest();
            if (manifest == null) return "no META-INF/MANIFEST.MF (is the file a complete jar?)";
            if (manifest.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME) == null) {
                return "its manifest has no Bundle-SymbolicName (build it with bnd or the maven-bundle-plugin)";
            }
            while (in.getNextJarEntry() != null) {
                // reading every entry finds truncated or corrupt archives before the framework sees them
            }
            return null;
        } catch (IOException e) {
            return "not a readable jar (" + e.getMessage() + ")";
        }
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

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    List<Path> deployedJars() {
        return List.copyOf(deployed.keySet());
    }
}
