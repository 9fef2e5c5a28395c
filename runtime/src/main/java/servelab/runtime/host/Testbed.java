package servelab.runtime.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The running plugin host: framework, registry and deployer, with the plugins directory deployed and, once
 * {@link #watch()} is called, watched. Close it in a {@code finally} (or try-with-resources): the framework's
 * threads would otherwise keep the JVM alive.
 */
public final class Testbed implements AutoCloseable {
    private final FelixHost host;
    private final PluginRegistry registry;
    private final BundleDeployer deployer;
    private final Path pluginsDir;
    private PluginDirWatcher watcher;

    private Testbed(FelixHost host, Path pluginsDir, HostListener listener) {
        this.host = host;
        this.pluginsDir = pluginsDir;
        this.registry = new PluginRegistry(host.context());
        this.deployer = new BundleDeployer(host.context(), registry, listener);
    }

    /**
     * Starts the framework and deploys every jar in {@code pluginsDir}. Broken jars are reported to
     * {@code listener} and skipped.
     */
    public static Testbed start(Path pluginsDir, HostListener listener) {
        if (!Files.isDirectory(pluginsDir)) {
            throw new PluginException("plugins directory " + pluginsDir + " does not exist (build with ./servelab, "
                    + "which places the bundled plugins in target/plugins, or pass --plugins-dir)");
        }
        var host = FelixHost.start();
        try {
            var testbed = new Testbed(host, pluginsDir, listener);
            testbed.deployer.deployAll(pluginsDir);
            for (var line : testbed.registry.duplicates()) listener.report("fault", "", "", "", line);
            return testbed;
        } catch (IOException e) {
            host.close();
            throw new UncheckedIOException("cannot list plugins directory " + pluginsDir, e);
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
    }

    /** Starts watching the plugins directory for new, changed and deleted jars. */
    public Testbed watch() {
        if (watcher == null) watcher = new PluginDirWatcher(pluginsDir, deployer).start();
        return this;
    }

    public PluginRegistry registry() {
        return registry;
    }

    public BundleDeployer deployer() {
        return deployer;
    }

    public Path pluginsDir() {
        return pluginsDir;
    }

    @Override
    public void close() {
        if (watcher != null) watcher.close();
        host.close();
    }
}
