package servelab.runtime.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import servelab.api.PluginKind;
import servelab.runtime.host.Testbed;
import servelab.runtime.install.Installation;
import servelab.runtime.install.PluginScaffold;

/**
 * {@code servelab new-plugin KIND NAME}: a new plugin module (pom, bnd.bnd, a plugin class with a minimal policy of
 * its kind, and its contract test), added to the root pom and built, so the jar lands in the plugins directory.
 */
@Command(name = "new-plugin", mixinStandardHelpOptions = true,
        description = {"Write a new plugin module: schedulers/NAME for a scheduler, plugins/<family>/NAME for the",
                "other kinds, with a pom, a bnd.bnd, the plugin class (descriptor and a minimal policy of its kind)",
                "and a test running the kind's contract from plugins/testkit; add it to the root pom.xml and build it",
                "(its contract test runs), so `servelab plugins` lists it and --set plugins.KIND.name=NAME selects it.",
                "Refuses a NAME whose folder exists or that an installed plugin of KIND already has."})
final class NewPluginCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "KIND", completionCandidates = Kinds.class,
            description = "one of: ${COMPLETION-CANDIDATES}")
    String kind;

    /** Every plugin kind's id, for the help (a list written out here fell behind when kinds were added). */
    static final class Kinds implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.Arrays.stream(PluginKind.values()).map(PluginKind::id).iterator();
        }
    }

    @Parameters(index = "1", paramLabel = "NAME", description = "lower-case words joined by '-', e.g. shortest-prompt")
    String name;

    @Option(names = "--root", paramLabel = "DIR", description = "the checkout to write into (default: this one)")
    Path root;

    @Option(names = "--no-build", description = "write the module only; build it later with "
            + "./mvnw -pl MODULE -am package")
    boolean noBuild;

    @Option(names = "--plugins-dir", paramLabel = "DIR", description = "where installed plugins are looked up, so "
            + "that a name in use is refused (default: the checkout's target/plugins, or $SERVELAB_PLUGINS without "
            + "--root); the new plugin's jar is always built into the checkout's target/plugins")
    Path pluginsDir;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var pluginKind = PluginKind.fromId(kind); // names the value and lists the kinds
        var home = root != null ? root.toAbsolutePath().normalize() : Installation.current().home();
        if (!Files.isRegularFile(home.resolve("pom.xml"))) {
            throw new IllegalArgumentException("--root " + home + " is not a ServeLab checkout (no pom.xml)");
        }
        PluginScaffold.moduleFolder(pluginKind, name); // a bad name fails before the host starts
        refuseInstalled(pluginKind, pluginsDir != null ? pluginsDir
                : root != null ? home.resolve("target/plugins") : new PluginsDirOption().resolve());
        var module = new PluginScaffold(home).write(pluginKind, name);
        out.println("wrote " + module.relative() + " (" + module.className() + ", " + module.testClass()
                + ") and added it to pom.xml");
        out.flush();
        if (noBuild) return 0;
        int rc = build(home, module);
        if (rc != 0) {
            spec.commandLine().getErr().println("servelab new-plugin: the build of " + module.relative()
                    + " failed (exit " + rc + "); the module stays, fix it and run ./mvnw -pl " + module.relative()
                    + " -am package");
            return rc;
        }
        out.println("built " + module.relative() + ": the jar is in " + home.resolve("target/plugins")
                + "; select it with --set plugins." + pluginKind.id() + ".name=" + name);
        return 0;
    }

    /** An installed plugin (a bundle in the plugins directory, or a built-in one) of this kind and name. */
    private void refuseInstalled(PluginKind pluginKind, Path installed) throws java.io.IOException {
        // nothing built there yet: only the built-in plugins can clash
        var dir = Files.isDirectory(installed) ? installed : Files.createTempDirectory("servelab-no-plugins");
        try (var testbed = Testbed.start(dir, (type, k, from, to, detail) -> { })) {
            for (var plugin : testbed.registry().installed()) {
                var d = plugin.descriptor();
                if (d.kind() == pluginKind && d.name().equals(name)) {
                    throw new IllegalArgumentException(d.label() + " is already installed (" + plugin.source()
                            + "); choose another name");
                }
            }
        }
    }

    /** Builds the module and what it needs, running its contract test only. */
    private static int build(Path home, PluginScaffold.Module module) throws Exception {
        var command = new ArrayList<>(List.of(home.resolve("mvnw").toString(), "-B", "-q", "-pl", module.relative(),
                "-am", "package", "-Dtest=" + module.testClass().substring(module.testClass().lastIndexOf('.') + 1), "-Dsurefire.failIfNoSpecifiedTests=false"));
        var process = new ProcessBuilder(command).directory(home.toFile()).inheritIO();
        process.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return process.start().waitFor();
    }
}
