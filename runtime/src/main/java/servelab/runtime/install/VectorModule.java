package servelab.runtime.install;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The JDK's Vector API ({@code jdk.incubator.vector}), which only the real executor's CPU kernels use, loaded only by
 * the processes that run them.
 *
 * <p>Why not always: with an incubator module in its module graph, JDK 25 can keep neither its full module graph nor
 * its linked classes in the ahead-of-time cache ({@code -Xlog:aot} says "full module graph: disabled" and "Using
 * AOT-linked classes: false"); every lambda, string concatenation and method handle is then spun again at run time
 * (about 500 classes in a cold simulated run). So the launcher starts the JVM without the module, and a command
 * that is about to run the kernels calls {@link #ensure()} before it writes anything: the command line is run again
 * in a JVM with the module, and this one waits for it and exits with its status. Real runs take seconds to minutes,
 * so the two starts (about 0.8 s more for a tiny model's run) matter little there; the launcher starts a JVM with the
 * module at once when the command line names a model.
 */
public final class VectorModule {
    public static final String NAME = "jdk.incubator.vector";
    public static final String FLAG = "--add-modules=" + NAME;

    /** The command line {@code servelab.runtime.cli.Main} was started with: set only by its {@code main}. */
    private static volatile List<String> mainArgs;

    private VectorModule() {}

    /** Whether this JVM can run the CPU kernels. */
    public static boolean loaded() {
        return ModuleLayer.boot().findModule(NAME).isPresent();
    }

    /** Called by {@code Main.main} only: the arguments {@link #ensure()} runs again in a JVM with the module. */
    public static void launchedWith(String[] args) {
        mainArgs = List.of(args);
    }

    /** Returns when the module is loaded; otherwise fails with what to add to the JVM's command line. */
    public static void require() {
        if (!loaded()) {
            throw new IllegalStateException("the real executor's CPU kernels need the JDK's Vector API, which this JVM "
                    + "was started without: add " + FLAG + " to its command line (./servelab does this itself)");
        }
    }

    /**
     * Returns when the module is loaded. Otherwise, in a process started by {@code servelab}'s main, runs the same
     * command line in a JVM with the module, waits for it and exits with its status (never returns); elsewhere
     * (a notebook, a test, an embedding program) fails as {@link #require()} does. Call it before writing anything.
     */
    public static void ensure() {
        var args = mainArgs;
        if (loaded() || args == null) {
            require();
            return;
        }
        var child = start(relaunchCommand(args));
        // Ctrl-C reaches both processes; a signal to this one alone is passed on; either way, wait for the run to end
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            child.destroy();
            child.onExit().join();
        }, "servelab-vector-relaunch"));
        int status;
        while (true) {
            try {
                status = child.waitFor();
                break;
            } catch (InterruptedException e) {
                // keep waiting: this process only stands in for the child
            }
        }
        System.exit(status);
    }

    /**
     * This JVM's command line with the module added, for {@code args}: the same {@code java}, JVM options and class
     * path, less the ahead-of-time cache (trained without the module, so the JVM would refuse it).
     */
    static List<String> relaunchCommand(List<String> args) {
        var command = new ArrayList<String>();
        command.add(Installation.java().toString());
        command.add(FLAG);
        for (var option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (option.startsWith("-XX:AOTCache=") || option.startsWith("-XX:AOTMode=")) continue;
            if (option.startsWith("-Xlog:aot") || option.startsWith("-Xlog:cds")) continue;
            command.add(option);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "servelab.runtime.cli.Main"));
        command.addAll(args);
        return command;
    }

    private static Process start(List<String> command) {
        try {
            return new ProcessBuilder(command).inheritIO().start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a JVM with the Vector API (" + command.getFirst() + "): "
                    + e.getMessage(), e);
        }
    }
}
