package servelab.runtime.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The plugin jars the build writes (target/plugins at the repository root, before this module's tests in a full
 * build) resolve in the testbed as `servelab run` starts it: every jar installs at least one plugin and none faults.
 * The other tests build bundles from classes on the test class path, so a jar whose bnd instructions leave out a
 * package it needs (it then imports one the host does not export) is caught only here.
 */
class BuiltPluginsTest {
    @Test
    void everyBuiltPluginJarResolvesAndProvidesPlugins() throws Exception {
        var dir = Path.of(System.getProperty("servelab.pluginsDir", "../target/plugins"));
        List<String> jars;
        try (Stream<Path> files = Files.isDirectory(dir) ? Files.list(dir) : Stream.empty()) {
            jars = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().toList();
        }
        Assumptions.assumeTrue(!jars.isEmpty(), "no plugin jars in " + dir + " (a build of this module alone packages none)");
        var faults = new CopyOnWriteArrayList<String>();
        try (var testbed = Testbed.start(dir, (type, kind, from, to, detail) -> {
            if (type.equals("fault")) faults.add(detail);
        })) {
            assertEquals(List.of(), faults, "faults while deploying " + dir);
            var providing = new TreeSet<String>();
            for (var plugin : testbed.registry().installed()) {
                if (!plugin.source().equals("built-in")) providing.add(plugin.source());
            }
            assertEquals(jars, List.copyOf(providing), "each jar provides plugins");
        }
    }
}
