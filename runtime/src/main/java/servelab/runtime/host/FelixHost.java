package servelab.runtime.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.ServiceLoader;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;


/**
 * The embedded Apache Felix framework. The SPI packages are exported by the system bundle from the host's class
 * path, so host and bundles share one {@code Class} per SPI type; Declarative Services (Felix SCR) runs inside
 * the framework so plugin bundles need no activator. {@link #close()} stops the framework, whose threads would
 * otherwise keep the JVM alive, and deletes its cache.
 */
public final class FelixHost implements AutoCloseable {
    /** Classes whose jars are installed as bundles at start: Declarative Services. */
    private static final List<String> INFRASTRUCTURE = List.of("org.apache.felix.scr.impl.Activator");
    /**
     * Classes whose jars' packages the system bundle exports from the host's class path: the SPI, and the DS API
     * with the promise and function packages its runtime package uses (exported together, or the resolver sees
     * two views of the promise package), so the host can read why a component failed; and the SLF4J API, through
     * which libraries embedded in plugin bundles log (Resilience4j in the circuit-breaker bundle) to the host's
     * binding (its jar exports org.slf4j at 2.x and at 1.7.36, so bundles built against either resolve).
     */
    private static final List<String> SHARED = List.of(
            "servelab.api.PluginFactory",
            "org.osgi.service.component.runtime.ServiceComponentRuntime",
            "org.osgi.util.promise.Promise",
            "org.osgi.util.function.Function",
            "org.slf4j.Logger");

    private final Framework framework;
    private final Path storage;

    /** Deletes the bundle cache when the JVM ends before {@link #close} (Ctrl-C, a TERM): it was left in the temp folder. */
    private final Thread leftBehind;

    private FelixHost(Framework framework, Path storage) {
        this.framework = framework;
        this.storage = storage;
        this.leftBehind = Thread.ofPlatform().unstarted(() -> deleteQuietly(storage));
        Runtime.getRuntime().addShutdownHook(leftBehind);
    }

    /** Starts a framework with a fresh, private bundle cache. */
    public static FelixHost start() {
        Path storage;
        try {
            storage = Files.createTempDirectory("servelab-felix-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the OSGi bundle cache", e);
        }
        var config = new HashMap<String, String>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA,
                String.join(",", SHARED.stream().map(FelixHost::jarOf).map(FelixHost::exportsOf).toList()));
        // a rebuilt jar of the same version is installed beside the old bundle, so a failed update disturbs nothing
        config.put(Constants.FRAMEWORK_BSNVERSION, Constants.FRAMEWORK_BSNVERSION_MULTIPLE);
        config.put("felix.log.level", "1");
        // Declarative Services printed a whole stack trace for a plugin whose factory failed, on every command while
        // the jar stays in the folder; the deployer already says which jar, which class and why, once
        config.put("ds.loglevel", "0");
        var factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi FrameworkFactory on the class path"));
        // Felix writes the Java version into its system bundle's capabilities with String.format: in a locale with
        // other digits (Arabic, Persian, Bengali) that is no version, and no bundle resolves
        var locale = java.util.Locale.getDefault(java.util.Locale.Category.FORMAT);
        java.util.Locale.setDefault(java.util.Locale.Category.FORMAT, java.util.Locale.ROOT);
        try {
            Framework framework = factory.newFramework(config);
            var host = new FelixHost(framework, storage);
            try {
                framework.start();
                host.installInfrastructure();
            } catch (BundleException | RuntimeException e) {
                host.close();
                throw new IllegalStateException("cannot start the embedded OSGi framework: " + e.getMessage(), e);
            }
            return host;
        } finally {
            java.util.Locale.setDefault(java.util.Locale.Category.FORMAT, locale);
        }
    }

    public BundleContext context() {
        return framework.getBundleContext();
    }

    private void installInfrastructure() throws BundleException {
        var bundles = new ArrayList<Bundle>();
        for (var className : INFRASTRUCTURE) {
            Path jar = jarOf(className);
            try (InputStream in = Files.newInputStream(jar)) {
                bundles.add(context().installBundle(jar.toUri().toString(), in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + jar, e);
            }
        }
        for (var bundle : bundles) {
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) bundle.start();
        }
    }

    private static Path jarOf(String className) {
        try {
            var type = Class.forName(className, false, FelixHost.class.getClassLoader());
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("missing from the class path: " + className
                    + " (the runtime's dependencies are incomplete; rebuild with ./servelab)", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The {@code Export-Package} header of a jar (or classes folder), so the versions
     * bundles were built against are the versions the host exports.
     */
    static String exportsOf(Path location) {
        Manifest manifest;
        try {
            if (Files.isDirectory(location)) {
                try (var in = Files.newInputStream(location.resolve("META-INF/MANIFEST.MF"))) {
                    manifest = new Manifest(in);
                }
            } else {
                try (var jar = new JarFile(location.toFile())) {
                    manifest = jar.getManifest();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the manifest at " + location, e);
        }
        String exports = manifest == null ? null : manifest.getMainAttributes().getValue(Constants.EXPORT_PACKAGE);
        if (exports == null) {
            throw new IllegalStateException(location + " has no Export-Package header");
        }
        return exports;
    }

    @Override
    public void close() {
        try {
            framework.stop();
            framework.waitForStop(10_000);
        } catch (BundleException | InterruptedException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        } finally {
            deleteQuietly(storage);
            try {
                Runtime.getRuntime().removeShutdownHook(leftBehind);
            } catch (IllegalStateException shuttingDown) {
                // the hook deletes it (again)
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }
}
