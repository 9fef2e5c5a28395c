package servelab.runtime.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import servelab.api.PluginKind;

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

    private Testbed(FelixHost host, Path pluginsDir, HostListener listener, PluginIndex index) {
        this.host = host;
        this.pluginsDir = pluginsDir;
        this.registry = new PluginRegistry(host.context());
        this.deployer = new BundleDeployer(host.context(), registry, listener, index);
    }

    /**
     * Starts the framework and deploys every jar in {@code pluginsDir}. Broken jars are reported to
     * {@code listener} and skipped.
     */
    public static Testbed start(Path pluginsDir, HostListener listener) {
        return start(pluginsDir, listener, null, PluginIndex.NONE);
    }

    /**
     * Starts the framework and deploys the jars in {@code pluginsDir} that {@code index} says provide one of
     * {@code selected} (kind and name; a version asked with {@code @} is left to the registry's choice among them),
     * and those it does not know; the rest are deployed when a control command asks for their plugins (a switch to
     * one, or the list of plugins). Every jar of the folder stays watched for hot swap.
     */
    public static Testbed startFor(Path pluginsDir, HostListener listener, Collection<PluginSelection> selected,
                                   PluginIndex index) {
        var wanted = selected.stream().map(s -> PluginIndex.key(s.kind().id(), s.name()))
                .collect(Collectors.toUnmodifiableSet());
        return start(pluginsDir, listener, wanted, index);
    }

    /** {@code wanted}: index keys to deploy for, or null for every jar. */
    private static Testbed start(Path pluginsDir, HostListener listener, Set<String> wanted, PluginIndex index) {
        if (Files.exists(pluginsDir) && !Files.isDirectory(pluginsDir)) {
            throw new PluginException("plugins directory " + pluginsDir + " is a file, not a folder (--plugins-dir names "
                    + "the folder that holds the plugin jars)");
        }
        if (!Files.isDirectory(pluginsDir)) {
            throw new PluginException("plugins directory " + pluginsDir + " does not exist (build with ./servelab, "
                    + "which places the bundled plugins in target/plugins, or pass --plugins-dir)");
        }
        var host = FelixHost.start();
        try {
            var testbed = new Testbed(host, pluginsDir, listener, index);
            if (wanted == null) testbed.deployer.deployAll(pluginsDir);
            else testbed.deployer.deployFor(pluginsDir, wanted);
            // a name no deployed jar provides (a typo): deploy the jars of its kind, so the error lists every plugin
            // of the kind there is, not only the run's own ("unknown scheduler 'sjff'; installed: fcfs@1.0.0")
            if (wanted != null) {
                for (var kind : testbed.missingKinds(wanted)) testbed.deployer.deployKind(pluginsDir, kind);
            }
            testbed.registry.undeployed(testbed.new Undeployed());
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

    /** Deploys on demand what {@link #startFor} left in the folder. */
    private final class Undeployed implements UndeployedJars {
        @Override
        public void deploy(PluginSelection wanted) {
            deployProviders(PluginIndex.key(wanted.kind().id(), wanted.name()));
        }

        @Override
        public void deployKind(PluginKind kind) {
            try {
                deployer.deployKind(pluginsDir, kind.id());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list plugins directory " + pluginsDir, e);
            }
        }

        @Override
        public void deployAll() {
            deployProviders(null);
        }

        private void deployProviders(String wanted) {
            try {
                deployer.deployProviders(pluginsDir, wanted);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list plugins directory " + pluginsDir, e);
            }
        }
    }

    /** The kinds (ids) of the {@code wanted} index keys no installed plugin provides, in order. */
    private Set<String> missingKinds(Set<String> wanted) {
        var installed = registry.installed().stream()
                .map(p -> PluginIndex.key(p.descriptor().kind().id(), p.descriptor().name())).collect(Collectors.toSet());
        return wanted.stream().filter(key -> !installed.contains(key)).map(key -> key.substring(0, key.indexOf(' ')))
                .collect(Collectors.toCollection(TreeSet::new));
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
