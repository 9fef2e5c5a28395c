package servelab.runtime.jupyter;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import servelab.runtime.install.Installation;
import servelab.runtime.record.Json;

/**
 * A Jupyter kernelspec ({@code kernel.json}) that starts a Java kernel with ServeLab's jars on the class path
 * its code compiles and runs against, and the JVM flags ServeLab needs, so a notebook needs no magics. Either:
 *
 * <ul>
 *   <li>an installed IJava or JJava kernel, copied with {@code IJAVA_CLASSPATH} / {@code JJAVA_CLASSPATH} set and
 *       the flags added to its {@code java} command; or</li>
 *   <li>the rapaio kernel from Maven Central ({@code io.github.padreati:rapaio-jupyter-kernel}), which the build
 *       copies to {@code runtime/target/jupyter}, with {@code RJK_CLASSPATH} set.</li>
 * </ul>
 * Class path entries are globs ({@code runtime/target/lib/*.jar}), so a rebuilt checkout needs no reinstall.
 *
 * @param name        the kernel's name (the folder under {@code kernels/}, what notebooks' metadata names)
 * @param displayName what Jupyter's kernel menu shows
 * @param argv        the command Jupyter runs, with {@code {connection_file}}
 * @param env         environment variables Jupyter adds for the kernel
 * @param kernel      which Java kernel it runs: {@code rapaio}, {@code ijava} or {@code jjava}
 */
public record KernelSpec(String name, String displayName, List<String> argv, Map<String, String> env, String kernel) {

    /** The kernel name notebooks are saved with. */
    public static final String DEFAULT_NAME = "servelab";

    public KernelSpec {
        Objects.requireNonNull(name, "KernelSpec.name");
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("kernel name must use letters, digits, '.', '_' or '-', was '" + name + "'");
        }
        argv = List.copyOf(argv);
        env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }

    /**
     * The kernelspec for {@code installation}: based on the first IJava or JJava kernelspec in
     * {@code searchDirs} (folders that hold kernel folders), else on the rapaio kernel jar.
     */
    public static KernelSpec forServelab(Installation installation, String name, List<Path> searchDirs)
            throws IOException {
        var found = JavaKernels.find(searchDirs);
        return found.isPresent() ? fromInstalled(installation, name, found.get()) : rapaio(installation, name);
    }

    /** The rapaio kernel, started by ServeLab's JDK with ServeLab's flags. */
    public static KernelSpec rapaio(Installation installation, String name) {
        installation.requireBuilt(installation.kernelJar());
        var argv = new ArrayList<String>();
        argv.add(Installation.java().toString());
        argv.addAll(jvmFlags(installation));
        argv.addAll(List.of("-jar", installation.kernelJar().toString(), "{connection_file}"));
        var env = new LinkedHashMap<String, String>();
        // rapaio separates class path entries with ';' and expands globs
        env.put("RJK_CLASSPATH", String.join(";", classpathGlobs(installation)));
        env.put("RJK_TIMEOUT_MILLIS", "-1"); // no limit per cell: `servelab notebook run` has its own
        return new KernelSpec(name, "Java (ServeLab)", argv, env, "rapaio");
    }

    /** An installed IJava/JJava kernelspec, its java replaced by ServeLab's JDK with ServeLab's flags. */
    static KernelSpec fromInstalled(Installation installation, String name, JavaKernels.Found found) {
        var argv = new ArrayList<String>();
        boolean replaced = false;
        for (var arg : found.argv()) {
            if (!replaced && Path.of(arg).getFileName() != null && Path.of(arg).getFileName().toString().matches("java(\\.exe)?")) {
                argv.add(Installation.java().toString());
                argv.addAll(jvmFlags(installation));
                replaced = true;
            } else {
                argv.add(arg);
            }
        }
        if (!replaced) {
            throw new IllegalStateException(found.file() + ": its argv does not start a 'java' command, so the JVM "
                    + "flags ServeLab needs cannot be added: " + found.argv());
        }
        var env = new LinkedHashMap<>(found.env());
        String prefix = found.kernel().toUpperCase(java.util.Locale.ROOT);
        env.put(prefix + "_CLASSPATH", String.join(File.pathSeparator, classpathGlobs(installation)));
        if (found.kernel().equals("jjava")) env.put("JJAVA_JVM_OPTS", String.join(" ", jvmFlags(installation)));
        return new KernelSpec(name, "Java (ServeLab, " + found.kernel() + ")", argv, env, found.kernel());
    }

    /** Writes {@code kernelsDir/NAME/kernel.json}, replacing an earlier one; returns that file. */
    public Path writeTo(Path kernelsDir) throws IOException {
        var dir = Files.createDirectories(kernelsDir.resolve(name));
        var json = new LinkedHashMap<String, Object>();
        json.put("argv", argv);
        json.put("display_name", displayName);
        json.put("language", "java");
        json.put("interrupt_mode", "message");
        json.put("env", env);
        json.put("metadata", Map.of("servelab_kernel", kernel));
        Path file = dir.resolve("kernel.json");
        Json.write(file, json);
        return file;
    }

    /** The user's kernels folder: {@code $JUPYTER_DATA_DIR/kernels}, else Jupyter's default for this OS. */
    public static Path userKernelsDir() {
        var data = System.getenv("JUPYTER_DATA_DIR");
        if (data != null && !data.isBlank()) return Path.of(data, "kernels");
        var home = Path.of(System.getProperty("user.home"));
        if (System.getProperty("os.name", "").startsWith("Mac")) return home.resolve("Library/Jupyter/kernels");
        var xdg = System.getenv("XDG_DATA_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".local/share")).resolve("jupyter/kernels");
    }

    /** Where Jupyter looks for kernels, in its order: {@code $JUPYTER_PATH}, the user's, then system folders. */
    public static List<Path> searchDirs() {
        var out = new ArrayList<Path>();
        var path = System.getenv("JUPYTER_PATH");
        if (path != null) for (var p : path.split(File.pathSeparator)) if (!p.isBlank()) out.add(Path.of(p, "kernels"));
        out.add(userKernelsDir());
        out.add(Path.of("/usr/local/share/jupyter/kernels"));
        out.add(Path.of("/usr/share/jupyter/kernels"));
        return out;
    }

    private static List<String> jvmFlags(Installation installation) {
        var flags = new ArrayList<>(Installation.jvmFlags());
        flags.addAll(List.of("-Djava.awt.headless=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dservelab.home=" + installation.home()));
        return flags;
    }

    private static List<String> classpathGlobs(Installation installation) {
        return List.of(installation.requireBuilt(installation.runtimeJar()).toString(),
                installation.runtimeLib().resolve("*.jar").toString());
    }
}
