package servelab.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.tools.ToolProvider;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.api.PluginKind;
import servelab.runtime.host.TestBundles;

/**
 * {@code servelab new-plugin} on a temporary copy of the root pom: the files it writes, the module it adds, what it
 * refuses; and the module of every kind compiles, with its contract test, against the SPI and the testkit. (CI
 * builds one in a clone of the checkout and runs an experiment with it, see .ci/run.)
 */
class NewPluginCommandTest {
    private static final Path ROOT_POM = Path.of(System.getProperty("user.dir")).resolveSibling("pom.xml");

    @TempDir Path work;
    private Path root;
    private Path plugins;

    private record Outcome(int code, String out, String err) {}

    @BeforeEach
    void copyTheRootPom() throws Exception {
        root = Files.createDirectories(work.resolve("checkout"));
        Files.copy(ROOT_POM, root.resolve("pom.xml"));
        plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
    }

    private Outcome newPlugin(String kind, String name) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute("new-plugin", kind, name, "--root", root.toString(), "--no-build",
                "--plugins-dir", plugins.toString());
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void writesASchedulerModuleAndAddsItAfterTheOtherSchedulers() throws Exception {
        var before = Files.readString(root.resolve("pom.xml"));
        var r = newPlugin("scheduler", "shortest-prompt");
        assertEquals(0, r.code(), r.err());
        var module = root.resolve("schedulers/shortest-prompt");
        // then: pom, bnd.bnd, the plugin class and its contract test
        assertTrue(Files.readString(module.resolve("pom.xml")).contains("<artifactId>servelab-scheduler-shortest-prompt</artifactId>"));
        assertTrue(Files.readString(module.resolve("pom.xml")).contains("<relativePath>../../plugins/bundle-parent/pom.xml</relativePath>"));
        assertEquals("Bundle-SymbolicName: servelab.scheduler.shortestprompt", Files.readString(module.resolve("bnd.bnd")).strip());
        var source = Files.readString(module.resolve("src/main/java/servelab/schedulers/shortestprompt/ShortestPromptScheduler.java"));
        assertTrue(source.contains("new PluginDescriptor(PluginKind.SCHEDULER, \"shortest-prompt\","), source);
        var readme = Files.readString(ROOT_POM.resolveSibling("README.md"));
        var example = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(example.find());
        assertEquals(example.group(1), source, "README's example is the class new-plugin writes");
        var test = Files.readString(module.resolve("src/test/java/servelab/schedulers/shortestprompt/ShortestPromptSchedulerTest.java"));
        assertTrue(test.contains("class ShortestPromptSchedulerTest extends SchedulerContractTest"), test);
        // and the root pom lists it right after the last scheduler, nothing else changed
        var after = Files.readString(root.resolve("pom.xml"));
        assertEquals(before.replace("    <module>schedulers/random</module>\n",
                "    <module>schedulers/random</module>\n    <module>schedulers/shortest-prompt</module>\n"), after);
        assertTrue(r.out().contains("wrote schedulers/shortest-prompt"), r.out());
    }

    @Test
    void aKindWithoutModulesYetGoesBeforeTheKernels() throws Exception {
        // given: a pom without the routers
        var pomFile = root.resolve("pom.xml");
        Files.writeString(pomFile, Files.readString(pomFile).replaceAll("    <module>plugins/routing/[a-z-]+</module>\n", ""));
        assertEquals(0, newPlugin("router", "least-loaded").code());
        var pom = Files.readString(root.resolve("pom.xml"));
        assertTrue(pom.contains("<module>plugins/routing/least-loaded</module>\n    <module>kernels</module>"), pom);
        assertTrue(Files.isRegularFile(root.resolve(
                "plugins/routing/least-loaded/src/main/java/servelab/plugins/routing/leastloaded/LeastLoadedRouter.java")));
    }

    @Test
    void refusesANameWhoseFolderExistsAndLeavesThePomAlone() throws Exception {
        assertEquals(0, newPlugin("eviction", "oldest").code());
        var pom = Files.readString(root.resolve("pom.xml"));
        var r = newPlugin("eviction", "oldest");
        assertEquals(1, r.code());
        assertEquals("servelab new-plugin: a module folder plugins/caching/oldest already exists; choose another name",
                r.err().strip());
        assertEquals(pom, Files.readString(root.resolve("pom.xml")));
    }

    @Test
    void refusesTheNameOfAnInstalledPluginOfTheSameKindOnly() {
        // given: fcfs is installed as a scheduler
        var r = newPlugin("scheduler", "fcfs");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("scheduler 'fcfs' is already installed (fcfs.jar); choose another name"), r.err());
        assertFalse(Files.exists(root.resolve("schedulers/fcfs")));
        // and the built-in router too
        assertTrue(newPlugin("router", "round-robin").err().contains("router 'round-robin' is already installed"));
        // but an eviction may be called fcfs
        assertEquals(0, newPlugin("eviction", "fcfs").code());
    }

    @Test
    void withRootAloneItLooksForInstalledPluginsInThatCheckout() throws Exception {
        // given: the checkout's own target/plugins holds fcfs (the launcher's checkout was looked at instead)
        Files.createDirectories(root.resolve("target"));
        Files.move(plugins, root.resolve("target/plugins"));
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute("new-plugin", "scheduler", "fcfs", "--root", root.toString(), "--no-build");
        assertEquals(1, code, out.toString());
        assertTrue(err.toString().contains("scheduler 'fcfs' is already installed (fcfs.jar)"), err.toString());
        // and a checkout with nothing built yet still refuses a built-in name
        Files.walk(root.resolve("target")).sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        assertEquals(1, cli.execute("new-plugin", "router", "round-robin", "--root", root.toString(), "--no-build"));
    }

    @Test
    void refusesAnUnknownKindAndABadName() {
        var r = newPlugin("sorter", "x");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("unknown plugin kind 'sorter'; accepted: scheduler, batcher,"), r.err());
        var bad = newPlugin("scheduler", "Shortest_Prompt");
        assertTrue(bad.err().contains("plugin name 'Shortest_Prompt' must be lower-case words joined by '-'"), bad.err());
        var keyword = newPlugin("batcher", "static");
        assertTrue(keyword.err().contains("would make the Java package segment 'static', a keyword"), keyword.err());
    }

    @Test
    void theModuleOfEveryKindCompilesWithItsContractTest() throws Exception {
        var sources = new ArrayList<String>();
        for (var kind : PluginKind.values()) {
            assertEquals(0, newPlugin(kind.id(), "made-" + kind.id()).code(), kind.id());
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> sources.add(f.toString()));
        }
        assertEquals(2 * PluginKind.values().length, sources.size());
        var errors = new java.io.ByteArrayOutputStream();
        var args = new ArrayList<>(List.of("-d", work.resolve("classes").toString(), "-proc:none",
                "-cp", System.getProperty("java.class.path")));
        args.addAll(sources);
        int rc = ToolProvider.getSystemJavaCompiler().run(null, errors, errors, args.toArray(String[]::new));
        assertEquals(0, rc, errors.toString());
    }
}
