package servelab.runtime.cli;

import java.io.PrintWriter;
import java.util.List;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import servelab.runtime.host.Plugin;
import servelab.runtime.host.Testbed;

/** {@code servelab plugins}: every installed plugin with its parameters. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = {"List every installed plugin: kind, name, version, bundle file, summary, and each parameter",
                "with its type, default, allowed values and documentation. Broken jars are reported on stderr."})
final class PluginsCommand implements Runnable {
    @Mixin PluginsDirOption pluginsDir;
    @Spec CommandSpec spec;

    @Override
    public void run() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        try (var testbed = Testbed.start(pluginsDir.resolve(),
                (type, kind, from, to, detail) -> {
                    if (!type.equals("deploy")) err.println("servelab plugins: " + type + ": " + detail);
                })) {
            print(out, testbed.registry().installed());
        }
    }

    static void print(PrintWriter out, List<Plugin> plugins) {
        String kind = "";
        for (var plugin : plugins) {
            var d = plugin.descriptor();
            if (!d.kind().id().equals(kind)) {
                kind = d.kind().id();
                out.println(kind);
            }
            out.printf("  %-20s %-8s %s%n", d.name(), d.version(), plugin.source());
            out.println("      " + d.summary());
            for (var p : d.params()) out.println("      - " + p.describe());
        }
        out.flush();
    }
}
