package servelab.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code servelab} launcher script's JDK discovery, with fake JDKs that only answer {@code -version}. */
class LauncherTest {
    private static final Path LAUNCHER = Path.of(System.getProperty("user.dir")).resolveSibling("servelab");

    @TempDir Path work;

    private Path fakeJdk(String name, String version) throws Exception {
        var bin = Files.createDirectories(work.resolve(name).resolve("bin"));
        var java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"" + version + "\" 2025-01-01' >&2\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return work.resolve(name);
    }

    private record Outcome(int code, String out, String err) {}

    /** A PATH with the shell tools the launcher uses and no java on it. */
    private Path toolsWithoutJava() throws Exception {
        var dir = work.resolve("tools");
        if (Files.exists(dir)) return dir;
        Files.createDirectories(dir);
        for (var tool : java.util.List.of("readlink", "dirname", "awk", "ls", "sort", "find", "touch", "mkdir", "cat")) {
            for (var prefix : java.util.List.of("/usr/bin/", "/bin/")) {
                if (Files.isExecutable(Path.of(prefix + tool))) {
                    Files.createSymbolicLink(dir.resolve(tool), Path.of(prefix + tool));
                    break;
                }
            }
        }
        return dir;
    }

    private Outcome launch(Map<String, String> env, String... args) throws Exception {
        var command = new java.util.ArrayList<>(java.util.List.of("bash", LAUNCHER.toString()));
        command.addAll(java.util.List.of(args));
        var pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().put("PATH", toolsWithoutJava().toString());
        pb.environment().putAll(env);
        var p = pb.start();
        var out = new String(p.getInputStream().readAllBytes());
        var err = new String(p.getErrorStream().readAllBytes());
        return new Outcome(p.waitFor(), out, err);
    }

    @Test
    void saysWhereItLookedAndExitsNonZeroWhenNoJdk25IsFound() throws Exception {
        var old = fakeJdk("jdk-17", "17.0.2");
        var jvms = Files.createDirectories(work.resolve("jvms"));
        var r = launch(Map.of("JAVA_HOME", old.toString(), "SERVELAB_JDK_DIRS", jvms.toString()), "--help");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("servelab: no JDK >= 25 found. Looked at:"), r.err());
        assertTrue(r.err().contains(old.resolve("bin/java") + " (Java 17)"), r.err());
        assertTrue(r.err().contains("Install a JDK 25"), r.err());
    }

    @Test
    void prefersJavaHomeThenFindsTheNewestJdkUnderTheJdkFolder() throws Exception {
        var jvms = Files.createDirectories(work.resolve("jvms"));
        fakeJdk("jvms/jdk-25", "25.0.1");
        fakeJdk("jvms/jdk-17", "17.0.9");
        var old = fakeJdk("jdk-11", "11.0.2");
        var r = launch(Map.of("JAVA_HOME", old.toString(), "SERVELAB_JDK_DIRS", jvms.toString()), "--print-java");
        assertEquals(0, r.code(), r.err());
        assertEquals(jvms.resolve("jdk-25/bin/java").toRealPath().toString(), r.out().strip());
        var viaHome = launch(Map.of("JAVA_HOME", jvms.resolve("jdk-25").toString(), "SERVELAB_JDK_DIRS",
                work.resolve("none").toString()), "--print-java");
        assertEquals(jvms.resolve("jdk-25/bin/java").toRealPath().toString(), viaHome.out().strip());
    }

    @Test
    void aJdkFolderWithSpacesInItsNameIsSearched() throws Exception {
        Files.createDirectories(work.resolve("my jdks"));
        fakeJdk("my jdks/jdk-25", "25.0.1");
        var r = launch(Map.of("SERVELAB_JDK_DIRS", work.resolve("my jdks").toString()), "--print-java");
        assertEquals(0, r.code(), r.err()); // it was split at the space: "no JDK >= 25 found"
        assertEquals(work.resolve("my jdks/jdk-25/bin/java").toRealPath().toString(), r.out().strip());
        // several folders, separated by colons as in PATH
        var several = launch(Map.of("SERVELAB_JDK_DIRS", ":" + work.resolve("nothing") + ":" + work.resolve("my jdks")),
                "--print-java");
        assertEquals(0, several.code(), several.err());
        assertEquals(work.resolve("my jdks/jdk-25/bin/java").toRealPath().toString(), several.out().strip());
    }

    @Test
    void readsAJdksVersionFromItsReleaseFileWithoutStartingIt() throws Exception {
        // given: a JDK whose java fails when started, and whose release file says 25
        var jvms = Files.createDirectories(work.resolve("jvms"));
        var jdk = fakeJdk("jvms/jdk-25", "25.0.1");
        Files.writeString(jdk.resolve("bin/java"), "#!/bin/sh\nexit 1\n");
        Files.writeString(jdk.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"25.0.1\"\n");
        // when
        var r = launch(Map.of("SERVELAB_JDK_DIRS", jvms.toString()), "--print-java");
        // then: it is chosen on its release file's word
        assertEquals(0, r.code(), r.err());
        assertEquals(jdk.resolve("bin/java").toRealPath().toString(), r.out().strip());
    }

    @Test
    void readsEveryFormOfAReleaseFilesVersionAndFollowsALinkToTheJdk() throws Exception {
        // the launcher reads the release file itself (no awk): "1.8.0_402" is Java 8, "26-ea" is 26, and a last line
        // without a newline still counts; a java reached through a link (/usr/bin/java) is the linked JDK's
        var jvms = Files.createDirectories(work.resolve("jvms"));
        for (var jdk : List.of(fakeJdk("jvms/jdk-8", "x"), fakeJdk("jvms/jdk-26", "x"))) {
            Files.writeString(jdk.resolve("bin/java"), "#!/bin/sh\nexit 1\n"); // never started
        }
        Files.writeString(jvms.resolve("jdk-8/release"), "JAVA_VERSION=\"1.8.0_402\"\n");
        Files.writeString(jvms.resolve("jdk-26/release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"26-ea\"");
        var bin = Files.createDirectories(work.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("java"), jvms.resolve("jdk-8/bin/java"));
        var r = launch(Map.of("JAVA_HOME", bin.getParent().toString(), "SERVELAB_JDK_DIRS", jvms.toString()),
                "--print-java");
        assertEquals(0, r.code(), r.err());
        assertEquals(jvms.resolve("jdk-26/bin/java").toRealPath().toString(), r.out().strip());
        // without a release file, java -version says it: "26-ea" stopped the launcher ("ea: unbound variable")
        Files.delete(jvms.resolve("jdk-26/release"));
        Files.writeString(jvms.resolve("jdk-26/bin/java"), "#!/bin/sh\necho 'openjdk version \"26-ea\" 2026-03-17' >&2\n");
        var ea = launch(Map.of("JAVA_HOME", bin.getParent().toString(), "SERVELAB_JDK_DIRS", jvms.toString()),
                "--print-java");
        assertEquals(0, ea.code(), ea.err());
        assertEquals(jvms.resolve("jdk-26/bin/java").toRealPath().toString(), ea.out().strip());
        Files.writeString(jvms.resolve("jdk-26/bin/java"), "#!/bin/sh\nexit 1\n");
        var none = launch(Map.of("JAVA_HOME", bin.getParent().toString(), "SERVELAB_JDK_DIRS", jvms.toString()),
                "--print-java");
        assertTrue(none.err().contains(bin.resolve("java") + " (Java 8)"), none.err());
    }

    /**
     * A checkout with the launcher, a built runtime jar, a source edited after the last build, a Maven wrapper that
     * only notes it was called, and a JDK 25 whose java prints its arguments.
     */
    private Path fakeCheckout() throws Exception {
        var home = Files.createDirectories(work.resolve("home"));
        Files.copy(LAUNCHER, home.resolve("servelab"));
        Files.createDirectories(home.resolve("runtime/target"));
        Files.writeString(home.resolve("runtime/target/servelab-runtime.jar"), "");
        Files.createDirectories(home.resolve("target"));
        var stamp = Files.writeString(home.resolve("target/.servelab-build-stamp"), "");
        var pom = Files.writeString(home.resolve("pom.xml"), "<project/>");
        Files.setLastModifiedTime(stamp, java.nio.file.attribute.FileTime.fromMillis(1_000_000L));
        var mvnw = Files.writeString(home.resolve("mvnw"), "#!/bin/sh\necho built >> \"$(dirname \"$0\")/built\"\n");
        Files.setPosixFilePermissions(mvnw, PosixFilePermissions.fromString("rwxr-xr-x"));
        var java = Files.createDirectories(work.resolve("jdk-25/bin")).resolve("java");
        // it prints its arguments, and writes the AOT cache a training run asks for (as JDK 25 does on exit)
        Files.writeString(java, "#!/bin/sh\nif [ \"$1\" = -version ]; then echo 'openjdk version \"25.0.1\"' >&2; exit 0; fi\n"
                + "echo \"LC_ALL=${LC_ALL:-}\"\necho 'the command speaks on stderr' >&2\n"
                + "case \"$*\" in *--bundles*) cat \"$FAKE_BUNDLES\"; exit 0;; esac\n"
                + "for a in \"$@\"; do echo \"$a\"; case \"$a\" in -XX:AOTCacheOutput=*) "
                + "[ -n \"$FAKE_TRAINING_EXIT\" ] && exit \"$FAKE_TRAINING_EXIT\"; echo aot > \"${a#*=}\";; esac; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertTrue(Files.getLastModifiedTime(pom).toMillis() > 1_000_000L);
        return home;
    }

    private Outcome launchIn(Path home, Path cwd, String... args) throws Exception {
        return launchIn(Map.of(), home, cwd, args);
    }

    private Outcome launchIn(Map<String, String> env, Path home, Path cwd, String... args) throws Exception {
        var command = new java.util.ArrayList<>(java.util.List.of("bash", home.resolve("servelab").toString()));
        command.addAll(java.util.List.of(args));
        var pb = new ProcessBuilder(command).directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", toolsWithoutJava() + ":/usr/bin:/bin");
        pb.environment().put("JAVA_HOME", work.resolve("jdk-25").toString());
        pb.environment().put("SERVELAB_JDK_DIRS", work.resolve("none").toString());
        pb.environment().putAll(env);
        var p = pb.start();
        var out = new String(p.getInputStream().readAllBytes());
        var err = new String(p.getErrorStream().readAllBytes());
        return new Outcome(p.waitFor(), out, err);
    }

    @Test
    void sweepsAndWorkersGetTheInternalsHazelcastWarnsWithout() throws Exception {
        var home = fakeCheckout();
        // notebook runs, and notebook run --fresh-runs, run a sweep too (they printed Hazelcast's warning)
        for (var command : java.util.List.of("sweep", "worker", "ctl", "notebook runs", "notebook run")) {
            var args = new java.util.ArrayList<>(java.util.List.of(command.split(" ")));
            args.add("--help");
            var r = launchIn(home, work, args.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            boolean opens = r.out().lines().anyMatch("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"::equals);
            assertEquals(!command.equals("ctl"), opens, command + ": " + r.out());
        }
    }

    @Test
    void loadsModelIsTheServersNameAndNeedsNoKernels() throws Exception {
        var home = fakeCheckout();
        var load = launchIn(home, work, "load", "--model", "Llama-3.2-1B", "--help");
        assertEquals(0, load.code(), load.err());
        assertTrue(load.out().lines().noneMatch(l -> l.startsWith("--add-modules=jdk.incubator.vector")), load.out());
        var run = launchIn(home, work, "run", "--model", "m.gguf", "--help");
        assertTrue(run.out().lines().anyMatch("--add-modules=jdk.incubator.vector"::equals), run.out());
    }

    @Test
    void tornadoVmHomeWithoutTheModulesJarSaysSoAndRunsOn() throws Exception {
        // the module not built (-Ptornadovm): the launcher ended silently with exit code 1, on every command
        var home = fakeCheckout();
        var sdk = Files.createDirectories(work.resolve("tornado-sdk"));
        Files.writeString(sdk.resolve("tornado-argfile"), "");
        var r = launchIn(Map.of("TORNADOVM_HOME", sdk.toString()), home, work, "ctl", "--run", "x", "slots");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("TORNADOVM_HOME is set, but") && r.err().contains("the tornadovm backend will not be "
                + "available"), r.err());
        assertTrue(r.out().lines().noneMatch(l -> l.startsWith("@")), r.out());
        // built: its jar (not the sources' or the tests') joins the class path with the SDK's flags
        var target = Files.createDirectories(home.resolve("kernels/tornadovm/target"));
        Files.writeString(target.resolve("servelab-kernels-tornadovm-0.1.0-SNAPSHOT-sources.jar"), "");
        Files.writeString(target.resolve("servelab-kernels-tornadovm-0.1.0-SNAPSHOT.jar"), "");
        var built = launchIn(Map.of("TORNADOVM_HOME", sdk.toString()), home, work, "ctl", "--run", "x", "slots");
        assertEquals(0, built.code(), built.err());
        assertTrue(built.out().lines().anyMatch(l -> l.equals("@" + sdk.resolve("tornado-argfile"))), built.out());
        assertTrue(built.out().contains("kernels/tornadovm/target/servelab-kernels-tornadovm-0.1.0-SNAPSHOT.jar"),
                built.out());
        assertTrue(!built.out().contains("-sources.jar"), built.out());
    }

    @Test
    void passesTheUsersJvmOptionsOn() throws Exception {
        var home = fakeCheckout();
        var r = launchIn(Map.of("SERVELAB_JAVA_OPTS", "-Xmx3g  -Dservelab.x=1"), home, work, "ctl", "--run", "x", "slots");
        assertEquals(0, r.code(), r.err());
        var args = r.out().lines().toList();
        assertTrue(args.contains("-Xmx3g") && args.contains("-Dservelab.x=1"), r.out());
        assertTrue(args.indexOf("-Xmx3g") < args.indexOf("servelab.runtime.cli.Main"), r.out());
    }

    @Test
    void saysWhetherStandardErrorIsATerminal() throws Exception {
        // here stderr is a pipe: progress must come as lines, whatever stdin and stdout are (2>log on a terminal)
        var r = launchIn(fakeCheckout(), work, "ctl", "--run", "x", "slots");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch("-Dservelab.stderr.terminal=false"::equals), r.out());
        assertEquals(false, Terminal.stderr("false", true));
        assertEquals(true, Terminal.stderr("true", false));
        assertEquals(true, Terminal.stderr(null, true), "started without the launcher: the console decides");
    }

    @Test
    void passesTheCallersFolderSoTheCliResolvesTypedPathsAgainstIt() throws Exception {
        var home = fakeCheckout();
        var caller = Files.createDirectories(work.resolve("caller"));
        var r = launchIn(home, caller, "ctl", "--run", "myrun", "slots");
        assertEquals(0, r.code(), r.err());
        var expected = "-Dservelab.cwd=" + caller.toRealPath();
        assertTrue(r.out().lines().anyMatch(expected::equals), r.out());
    }

    @Test
    void ctlRunsWithoutRebuildingWhileOtherCommandsRebuildEditedSources() throws Exception {
        var home = fakeCheckout();
        var r = launchIn(home, work, "ctl", "--run", "myrun", "slots");
        assertEquals(0, r.code(), r.err());
        // then: a live run's plugin folder is not rewritten by a build just to send a control command
        assertTrue(Files.notExists(home.resolve("built")), r.err());
        // nor does new-plugin build first (it refused a taken name only after a minute's build)
        r = launchIn(home, work, "new-plugin", "scheduler", "fcfs");
        assertTrue(Files.notExists(home.resolve("built")), r.err());
        r = launchIn(home, work, "plugins");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(home.resolve("built")), r.err());
    }

    @Test
    void aJarPutIntoThePluginsFolderAfterTheBuildIsSaid() throws Exception {
        var home = fakeCheckout();
        assertEquals(0, launchIn(home, work, "plugins").code()); // builds, and marks what the plugins folder held
        for (var jar : List.of("load/target/servelab-load.jar", "sweep/target/servelab-sweep.jar",
                "serve/target/servelab-serve.jar")) { // every launcher jar there: no build on the next commands
            Files.createDirectories(home.resolve(jar).getParent());
            Files.writeString(home.resolve(jar), "");
        }
        Files.createDirectories(home.resolve("target/plugins"));
        var built = Files.writeString(home.resolve("target/plugins/sched.jar"), "");
        Files.setLastModifiedTime(built, java.nio.file.attribute.FileTime.fromMillis(2_000_000L));
        var r = launchIn(home, work, "plugins");
        assertTrue(!r.err().contains("note: target/plugins"), r.err());
        // a jar dropped in for a hot swap stayed the plugin of every later run, unsaid
        Files.writeString(home.resolve("target/plugins/sched.jar"), "dropped");
        r = launchIn(home, work, "plugins");
        assertTrue(r.err().contains("servelab: note: target/plugins holds jars put there after its last build: sched.jar;"),
                r.err());
    }

    @Test
    void aBuildIsFollowedByATrainingRunWhoseAotCacheLaterProcessesStartWith() throws Exception {
        var home = fakeCheckout();
        var r = launchIn(home, work, "plugins");
        assertEquals(0, r.code(), r.err());
        // then: the build trained the cache (a short run that writes it on exit), and this process started with it
        assertTrue(Files.exists(home.resolve("target/servelab.aot")), r.err());
        assertTrue(r.out().lines().anyMatch("-XX:AOTCache=target/servelab.aot"::equals), r.out());
        // and: without it when asked, and ctl never trains
        Files.delete(home.resolve("target/servelab.aot"));
        var pb = launchIn(home, work, "ctl", "--run", "x", "slots");
        assertTrue(Files.notExists(home.resolve("target/servelab.aot")), pb.err());
        assertTrue(pb.out().lines().noneMatch(l -> l.startsWith("-XX:AOTCache")), pb.out());
    }

    @Test
    void aCacheOlderThanAJarOfTheClassPathIsTrainedAgainAndOnlyThen() throws Exception {
        var home = fakeCheckout();
        var dep = Files.writeString(Files.createDirectories(home.resolve("runtime/target/lib")).resolve("dep.jar"), "");
        var first = launchIn(home, work, "plugins");
        assertTrue(first.err().contains("training the start-up cache"), first.err());
        var cache = home.resolve("target/servelab.aot");
        Files.setLastModifiedTime(cache, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 2_000));
        var again = launchIn(home, work, "plugins");
        assertTrue(!again.err().contains("training"), again.err());
        // a library jar newer than the cache (JDK 25 would ignore the cache): trained again
        Files.setLastModifiedTime(dep, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(cache).toMillis() + 5_000));
        var newer = launchIn(home, work, "plugins");
        assertTrue(newer.err().contains("training the start-up cache"), newer.err());
        assertTrue(newer.out().lines().anyMatch("-XX:AOTCache=target/servelab.aot"::equals), newer.out());
    }

    @Test
    void ctrlCWhileTrainingTheCacheStopsTheCommand() throws Exception {
        // the training JVM exits 130 itself: the launcher said "training failed" and ran the command anyway
        var home = fakeCheckout();
        var r = launchIn(Map.of("FAKE_TRAINING_EXIT", "130"), home, work, "plugins");
        assertEquals(130, r.code(), r.err());
        assertTrue(r.out().lines().noneMatch("plugins"::equals), r.out());
        assertTrue(!r.err().contains("running without the cache"), r.err());
        // and a training run that fails otherwise still runs the command, uncached
        var failed = launchIn(Map.of("FAKE_TRAINING_EXIT", "1"), home, work, "plugins");
        assertEquals(0, failed.code(), failed.err());
        assertTrue(failed.err().contains("running without the cache"), failed.err());
        assertTrue(failed.out().lines().anyMatch("plugins"::equals), failed.out());
    }

    @Test
    void aSecondCommandWaitsForTheBuildAnotherHolds() throws Exception {
        var home = fakeCheckout();
        // given: another command holds the build lock (flock, as the launcher takes it), until its stdin closes
        var holder = new ProcessBuilder("flock", home.resolve("target/.servelab-build.lock").toString(), "cat").start();
        try {
            Thread.sleep(300);
            var command = new java.util.ArrayList<>(List.of("bash", home.resolve("servelab").toString(), "plugins"));
            var pb = new ProcessBuilder(command).directory(work.toFile());
            pb.environment().put("JAVA_HOME", work.resolve("jdk-25").toString());
            pb.environment().put("SERVELAB_JDK_DIRS", work.resolve("none").toString());
            pb.redirectOutput(work.resolve("second.out").toFile()).redirectErrorStream(true);
            var second = pb.start();
            // then: it waits (it built into the same target/ at once, and one of the two failed)
            assertTrue(!second.waitFor(1500, java.util.concurrent.TimeUnit.MILLISECONDS),
                    Files.readString(work.resolve("second.out")));
            assertTrue(Files.notExists(home.resolve("built")), "it built while the other held the lock");
            holder.getOutputStream().close();
            assertTrue(second.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(0, second.exitValue(), Files.readString(work.resolve("second.out")));
            // and it said why it waited (it waited without a word, for minutes)
            assertTrue(Files.readString(work.resolve("second.out")).contains("waiting for another command's build"),
                    Files.readString(work.resolve("second.out")));
            assertTrue(Files.exists(home.resolve("built")));
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void aJvmInTheCLocaleGetsUtf8FileNames() throws Exception {
        // under LC_ALL=C the JVM could not name a checkout under "é" ("could not find or load main class")
        var r = launchIn(Map.of("LC_ALL", "C"), fakeCheckout(), work, "ctl", "--run", "x", "slots");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch("LC_ALL=C.UTF-8"::equals), r.out());
    }

    @Test
    void theJvmRunsFromCopiesOfTheJarsThatARebuildNeverRewrites() throws Exception {
        var home = fakeCheckout();
        var jar = home.resolve("runtime/target/servelab-runtime.jar");
        Files.writeString(jar, "build one");
        var first = classPath(launchIn(home, work, "ctl", "--run", "x", "slots"));
        assertTrue(first.startsWith("target/launch/servelab-runtime-"), first);
        var firstCopy = home.resolve(first.substring(0, first.indexOf(':')));
        assertEquals("build one", Files.readString(firstCopy));
        // when: a rebuild rewrites the jar in place (as Maven does) while the first JVM still reads its copy
        Files.writeString(jar, "build two");
        var second = classPath(launchIn(home, work, "ctl", "--run", "x", "slots"));
        // then: the next JVM gets a copy of its own, and the first one's is as it was
        assertTrue(!second.equals(first), second);
        assertEquals("build two", Files.readString(home.resolve(second.substring(0, second.indexOf(':')))));
        assertEquals("build one", Files.readString(firstCopy));
    }

    private static String classPath(Outcome r) {
        var args = r.out().lines().toList();
        int at = args.indexOf("-cp");
        assertTrue(at >= 0, r.out() + r.err());
        return args.get(at + 1);
    }

    @Test
    void aJarOfAPluginModuleTheBuildNoLongerMakesIsTakenOutOfThePluginsFolder() throws Exception {
        var home = fakeCheckout();
        var plugins = Files.createDirectories(home.resolve("target/plugins"));
        for (var jar : List.of("a-1.jar", "old-1.jar", "mine.jar")) Files.writeString(plugins.resolve(jar), "");
        // what the bundle modules' target folders hold (ChangedModules --bundles): the fake java prints this file
        var bundles = Files.writeString(work.resolve("bundles"), "a-1.jar\nold-1.jar\n");
        var env = Map.of("FAKE_BUNDLES", bundles.toString());
        assertEquals(0, launchIn(env, home, work, "plugins").code());
        // when: the module of old-1.jar is renamed (its jar is now new-1.jar), and the next command builds
        Files.writeString(bundles, "a-1.jar\nnew-1.jar\n");
        Files.writeString(home.resolve("pom.xml"), "<project><!-- renamed --></project>");
        var r = launchIn(env, home, work, "plugins");
        assertEquals(0, r.code(), r.err());
        // then: the old jar is gone (every run deployed it beside the renamed module's), the others stay
        assertTrue(Files.notExists(plugins.resolve("old-1.jar")), r.err());
        assertTrue(Files.exists(plugins.resolve("a-1.jar")) && Files.exists(plugins.resolve("mine.jar")), r.err());
        assertTrue(r.err().contains("servelab: took target/plugins/old-1.jar out: no module of the build makes it now"),
                r.err());
    }

    @Test
    void aSourcePutBackWithItsOldTimeIsRebuilt() throws Exception {
        var home = fakeCheckout();
        for (var module : List.of("load", "sweep", "serve")) {
            Files.writeString(Files.createDirectories(home.resolve(module + "/target")).resolve("servelab-" + module + ".jar"), "");
        }
        var source = Files.createDirectories(home.resolve("lib/src/main/java")).resolve("Some.java");
        Files.writeString(source, "class Some {}");
        Files.setLastModifiedTime(source, java.nio.file.attribute.FileTime.fromMillis(2_000_000L));
        assertEquals(0, launchIn(home, work, "plugins").code());
        assertEquals(1, Files.readAllLines(home.resolve("built")).size());
        assertEquals(0, launchIn(home, work, "plugins").code());
        assertEquals(1, Files.readAllLines(home.resolve("built")).size(), "nothing changed: no build");
        // when: an edit, built, and then the file put back as it was, time included (cp -p, tar x)
        Files.writeString(source, "class Some { int edited; }");
        assertEquals(0, launchIn(home, work, "plugins").code());
        assertEquals(2, Files.readAllLines(home.resolve("built")).size());
        Files.writeString(source, "class Some {}");
        Files.setLastModifiedTime(source, java.nio.file.attribute.FileTime.fromMillis(2_000_000L));
        assertEquals(0, launchIn(home, work, "plugins").code());
        // then: built again (older than the stamp, it was taken for built, and the edit kept running)
        assertEquals(3, Files.readAllLines(home.resolve("built")).size());
    }

    @Test
    void theCommandsErrorsReachTheCaller() throws Exception {
        // closing the build lock with exec 9>&- 2>/dev/null sent the command's own stderr to /dev/null: every
        // error message was lost
        var r = launchIn(fakeCheckout(), work, "run", "--bogus");
        assertTrue(r.err().contains("the command speaks on stderr"), r.err());
    }

    @Test
    void aCheckoutWhereNoCopiesCanBeMadeRunsFromTheJarsThemselves() throws Exception {
        // as in a read-only checkout: target/launch cannot be made (here a file named target is in its way; ctl
        // builds nothing)
        var home = fakeCheckout();
        try (var files = Files.walk(home.resolve("target"))) {
            for (var f : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
        }
        Files.writeString(home.resolve("target"), "");
        var r = launchIn(home, work, "ctl", "--run", "x", "slots");
        // it ended every command with exit 1 and no word (a find of a missing folder, under pipefail)
        assertEquals(0, r.code(), r.err());
        assertTrue(classPath(r).startsWith("runtime/target/servelab-runtime.jar:"), classPath(r));
    }

    @Test
    void aFindThatMetAnErrorDoesNotEndTheCommand() throws Exception {
        // find exits 1 when a file vanishes while it walks (an editor's temporary file) or a folder cannot be read;
        // under pipefail the build ended there, with no word
        var home = fakeCheckout();
        var tools = Files.createDirectories(work.resolve("failing-find"));
        var find = tools.resolve("find");
        Files.writeString(find, "#!/bin/sh\n/usr/bin/find \"$@\"\nexit 1\n");
        Files.setPosixFilePermissions(find, PosixFilePermissions.fromString("rwxr-xr-x"));
        var r = launchIn(Map.of("PATH", tools + ":" + toolsWithoutJava() + ":/usr/bin:/bin"), home, work, "plugins");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(home.resolve("built")), "it built");
        assertTrue(r.out().lines().anyMatch("plugins"::equals), r.out());
    }
}
