package servelab.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Set;

import javax.tools.ToolProvider;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's module selector ({@code .mvn/ChangedModules.java}), on a checkout of fake poms shaped like ours: a
 * pom-packaged bundle parent whose dependency every plugin inherits, a library, two plugins, a host that needs the
 * library and tests with a plugin, a benchmark module built by its own script, and a profile's module inside the host.
 */
class ChangedModulesTest {
    private static final Path SELECTOR = Path.of(System.getProperty("user.dir"))
            .resolveSibling(".mvn/ChangedModules.java");
    private static final FileTime BUILT = FileTime.fromMillis(2_000_000_000_000L);
    private static final FileTime BEFORE = FileTime.fromMillis(BUILT.toMillis() - 60_000);
    private static final FileTime AFTER = FileTime.fromMillis(BUILT.toMillis() + 60_000);

    @TempDir static Path classes;
    private static Method decide;
    private static Method decideByListing;
    private static Method bundles;

    @TempDir Path root;

    @BeforeAll
    static void compileTheSelector() throws Exception {
        int status = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                SELECTOR.toString());
        assertEquals(0, status, "javac " + SELECTOR);
        var loader = new URLClassLoader(new java.net.URL[] {classes.toUri().toURL()}, null);
        decide = loader.loadClass("ChangedModules").getDeclaredMethod("decide", Path.class, Path.class, List.class,
                Set.class);
        decide.setAccessible(true);
        decideByListing = loader.loadClass("ChangedModules").getDeclaredMethod("decide", Path.class, Path.class,
                Path.class, List.class, Set.class);
        decideByListing.setAccessible(true);
        bundles = loader.loadClass("ChangedModules").getDeclaredMethod("bundles", Path.class, String.class);
        bundles.setAccessible(true);
    }

    @BeforeEach
    void fakeCheckout() throws Exception {
        pom("", "parent", "pom", null, "<modules><module>api</module><module>bundle-parent</module>"
                + "<module>lib</module><module>plugin-a</module><module>plugin-b</module><module>host</module>"
                + "<module>bench</module></modules>"
                + "<profiles><profile><modules><module>host/gpu</module></modules></profile></profiles>", "");
        pom("api", "api", null, "parent", "", "");
        pom("bundle-parent", "bundle-parent", "pom", "parent", "", dependency("api", "provided"));
        pom("lib", "lib", null, "parent", "", dependency("api", null));
        pom("plugin-a", "plugin-a", null, "bundle-parent", "", dependency("lib", null));
        pom("plugin-b", "plugin-b", null, "bundle-parent", "", "");
        pom("host", "host", null, "parent", "", dependency("lib", null) + dependency("plugin-a", "test"));
        pom("bench", "bench", null, "parent", "", dependency("host", null));
        pom("host/gpu", "gpu", null, "parent", "", dependency("host", null));
        for (var module : List.of("api", "lib", "plugin-a", "plugin-b", "host", "bench")) {
            write(module + "/src/main/java/Some.java", "class Some {}");
            write(module + "/target/" + module + ".jar", "jar");
        }
        write("host/gpu/src/main/java/Gpu.java", "class Gpu {}");
        write("README.md", "readme");
        try (var files = Files.walk(root)) {
            for (var f : files.toList()) Files.setLastModifiedTime(f, BEFORE);
        }
        Files.setLastModifiedTime(write("target/stamp", ""), BUILT);
    }

    @Test
    void theBundlesAreTheJarsOfTheBundleParentsChildrenNamedForTheirArtifactsAndVersion() throws Exception {
        write("plugin-a/target/plugin-a-1.0.jar", "jar");
        write("plugin-a/target/plugin-old-1.0.jar", "jar"); // the folder moved with a module renamed from plugin-old
        write("plugin-a/target/plugin-a-0.9.jar", "jar"); // an earlier version's, which Maven leaves in target/
        write("plugin-b/target/plugin-b-1.0.jar", "jar");
        write("lib/target/lib-1.0.jar", "jar"); // a library, not a bundle
        assertEquals(List.of("plugin-a-1.0.jar", "plugin-b-1.0.jar"), bundles(root, "bundle-parent"));
    }

    @Test
    void noStampOrAMissingJarMeansAFullBuild() throws Exception {
        assertEquals("all missing host/target/servelab-host.jar", decide(List.of("host/target/servelab-host.jar")));
        Files.delete(root.resolve("plugin-b/target/plugin-b.jar"));
        assertEquals("all no jar in plugin-b/target", decide(List.of("host/target/host.jar")));
        Files.delete(root.resolve("target/stamp"));
        assertEquals("all no build stamp target/stamp", decide(List.of()));
    }

    @Test
    void nothingNewerThanTheStampOutsideABuildInputMeansNoBuild() throws Exception {
        assertEquals("none", decide(List.of()));
        touch("README.md");
        touch("host/gpu/src/main/java/Gpu.java"); // a profile's module: the launcher's build does not make it
        touch("plugin-a/target/plugin-a.jar");
        assertEquals("none", decide(List.of()));
    }

    @Test
    void aPluginEditRebuildsThatPluginAloneNotTheHostThatOnlyTestsWithIt() throws Exception {
        touch("plugin-a/src/main/java/Some.java");
        assertEquals("some plugin-a", decide(List.of()));
    }

    @Test
    void aDeletedSourceIsSeenByItsFolder() throws Exception {
        Files.delete(root.resolve("plugin-b/src/main/java/Some.java"));
        touch("plugin-b/src/main/java");
        assertEquals("some plugin-b", decide(List.of()));
    }

    @Test
    void anApiEditRebuildsWhatNeedsItDirectlyThroughALibraryOrThroughItsParentPom() throws Exception {
        touch("api/src/main/java/Some.java");
        assertEquals("some api,lib,plugin-a,plugin-b,host,bench", decide(List.of()));
        // a module that builds itself when used is not pulled in, only built when its own inputs change
        assertEquals("some api,lib,plugin-a,plugin-b,host", decide(List.of(), "bench"));
        touch("bench/pom.xml");
        assertEquals("some api,lib,plugin-a,plugin-b,host,bench", decide(List.of(), "bench"));
    }

    @Test
    void aParentPomEditRebuildsEverything() throws Exception {
        touch("bundle-parent/pom.xml");
        assertEquals("all changed bundle-parent/pom.xml", decide(List.of()));
    }

    @Test
    void theCommandLinePrintsTheDecisionForTheLauncher() throws Exception {
        touch("lib/src/main/java/Some.java");
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var p = new ProcessBuilder(java, "-cp", classes.toString(), "ChangedModules", "--unfollowed", "bench,host",
                "target/stamp", "api/target/api.jar").directory(root.toFile()).redirectErrorStream(true).start();
        var out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertEquals("some lib,plugin-a\n", out);
    }

    @Test
    void withListingsTheChangedLinesDecideAndALostInputNamesItsModuleToCleanAfterTheList() throws Exception {
        var built = List.of("lib/src/main/java/Some.java\t13\t100.0", "plugin-b/src/main/resources/x.txt\t3\t100.0",
                "pom.xml\t10\t100.0");
        Files.write(root.resolve("target/stamp"), built);
        Files.write(root.resolve("target/now"), built);
        assertEquals("none", decideByListing(), "the same inputs");
        // a file put back with its old time differs in time from the build's listing, though older than the stamp
        Files.write(root.resolve("target/now"), List.of("lib/src/main/java/Some.java\t13\t90.0",
                "plugin-b/src/main/resources/x.txt\t3\t100.0", "pom.xml\t10\t100.0"));
        assertEquals("some lib,plugin-a,host,bench", decideByListing());
        // a deleted resource: its module is rebuilt, and named to clean (its classes folder still held the file)
        Files.write(root.resolve("target/now"), List.of("lib/src/main/java/Some.java\t13\t100.0", "pom.xml\t10\t100.0"));
        assertEquals("some plugin-b\nclean plugin-b", decideByListing());
        // and when a parent pom changed too, everything is built, and the module is still named to clean
        Files.write(root.resolve("target/now"), List.of("lib/src/main/java/Some.java\t13\t100.0", "pom.xml\t11\t100.0"));
        assertEquals("all changed pom.xml\nclean plugin-b", decideByListing());
    }

    private String decideByListing() throws Exception {
        return (String) decideByListing.invoke(null, root, Path.of("target/stamp"), Path.of("target/now"), List.of(),
                Set.of());
    }

    @SuppressWarnings("unchecked")
    private static List<String> bundles(Path root, String parent) throws Exception {
        return (List<String>) bundles.invoke(null, root, parent);
    }

    private String decide(List<String> required, String... unfollowed) throws Exception {
        return (String) decide.invoke(null, root, Path.of("target/stamp"), required, Set.of(unfollowed));
    }

    private void pom(String dir, String artifactId, String packaging, String parent, String more, String dependencies)
            throws Exception {
        write((dir.isEmpty() ? "" : dir + "/") + "pom.xml", "<project>"
                + (parent == null ? "" : "<parent><artifactId>" + parent + "</artifactId><version>1.0</version></parent>")
                + "<artifactId>" + artifactId + "</artifactId>"
                + (packaging == null ? "" : "<packaging>" + packaging + "</packaging>")
                + "<dependencyManagement><dependencies>" + dependency("bench", null) + "</dependencies>"
                + "</dependencyManagement>" + more + "<dependencies>" + dependencies + "</dependencies></project>");
    }

    private static String dependency(String artifactId, String scope) {
        return "<dependency><groupId>x</groupId><artifactId>" + artifactId + "</artifactId>"
                + (scope == null ? "" : "<scope>" + scope + "</scope>") + "</dependency>";
    }

    private Path write(String path, String text) throws Exception {
        var file = root.resolve(path);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    private void touch(String path) throws Exception {
        Files.setLastModifiedTime(root.resolve(path), AFTER);
    }
}
