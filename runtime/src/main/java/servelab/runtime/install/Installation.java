package servelab.runtime.install;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a built ServeLab checkout keeps what other processes need: the runtime jar and its class path folder,
 * benchmark jars, the Jupyter kernel jar, and the JVM flags. The launcher passes the checkout as
 * {@code -Dservelab.home}; the build lays it out as:
 *
 * <pre>
 *   runtime/target/servelab-runtime.jar    the runtime (CLI, engine, reports, notebook helpers)
 *   runtime/target/lib/*.jar               its class path
 *   runtime/target/jupyter/rapaio-jupyter-kernel.jar
 *   * /benchmarks/target/*.jar + lib/      JMH benchmark jars (runtime/benchmarks, and any module's benchmarks)
 * </pre>
 *
 * @param home the checkout's root folder (absolute)
 */
public record Installation(Path home) {

    public Installation {
        home = home.toAbsolutePath().normalize();
    }

    /** The checkout this JVM was started from: {@code -Dservelab.home}, else the working directory. */
    public static Installation current() {
        return new Installation(Path.of(System.getProperty("servelab.home", ".")));
    }

    public Path runtimeJar() {
        return home.resolve("runtime/target/servelab-runtime.jar");
    }

    public Path runtimeLib() {
        return home.resolve("runtime/target/lib");
    }

    /** The rapaio Java kernel jar the build copies beside the runtime. */
    public Path kernelJar() {
        return home.resolve("runtime/target/jupyter/rapaio-jupyter-kernel.jar");
    }

    /**
     * The runtime jar and every jar of its class path folder, sorted.
     *
     * @throws IllegalStateException naming what is missing and how to build it
     */
    public List<Path> runtimeClasspath() {
        requireBuilt(runtimeJar());
        var out = new ArrayList<Path>();
        out.add(runtimeJar());
        out.addAll(jarsIn(runtimeLib()));
        return out;
    }

    /** Fails with how to build it when {@code file} is missing. */
    public Path requireBuilt(Path file) {
        if (!Files.exists(file)) {
            throw new IllegalStateException(file + " does not exist: build ServeLab first (./servelab builds on first "
                    + "use; or ./mvnw -DskipTests package in " + home + ")");
        }
        return file;
    }

    /** The {@code java} of this JVM, so child processes run on the same JDK. */
    public static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /**
     * The flags every JVM running ServeLab code needs (the root pom's {@code servelab.jvmFlags}: the Vector API
     * module, Arrow's access to java.nio, native access), as the build wrote them into the runtime jar.
     */
    public static List<String> jvmFlags() {
        try (InputStream in = Installation.class.getResourceAsStream("/servelab/jvm-flags.txt")) {
            if (in == null) throw new IllegalStateException("servelab/jvm-flags.txt is missing from the runtime jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .flatMap(l -> Arrays.stream(l.strip().split("\\s+"))).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read servelab/jvm-flags.txt from the runtime jar", e);
        }
    }

    /** The jars directly in {@code dir}, sorted by name; none when it does not exist. */
    public static List<Path> jarsIn(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
