package servelab.runtime.jupyter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Executes notebooks headless with {@code python -m nbconvert --execute}, one at a time. The rapaio kernel's start
 * hangs now and then on JDK 25 (its channels bind, but no request ever reaches its shell socket; measured here in
 * roughly one start out of ten, more under load), while a good start takes about 3 s. So a kernel that does not
 * answer within the start timeout, or dies while starting, is started again, up to {@code startAttempts} times in
 * all; an error in a cell is never retried: it fails the notebook, with nbconvert's account of the cell.
 *
 * @param python        the Python that has nbconvert (Debian's packages belong to {@code /usr/bin/python3})
 * @param kernel        kernel name the notebooks run on
 * @param startTimeout  how long the kernel may take to start
 * @param startAttempts kernel starts to try before giving up, at least 2 (one retry)
 * @param cellTimeout   how long one cell may run
 * @param env           variables for nbconvert and the kernel, e.g. {@code JUPYTER_PATH}, {@code SERVELAB_RUNS}
 */
public record NotebookExecutor(Path python, String kernel, Duration startTimeout, int startAttempts,
                               Duration cellTimeout, Map<String, String> env) {

    /** nbconvert's and jupyter_client's words for a kernel that never came up. */
    private static final Pattern START_FAILURE = Pattern.compile(
            "Kernel didn't respond|Kernel died before replying to kernel_info|kernel died|Kernel died|"
                    + "Kernel not responding|Error occurred while starting new kernel|TimeoutError: .*kernel",
            Pattern.CASE_INSENSITIVE);
    /** Terminal colour codes, which the Java kernel puts into its error reports. */
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*m");
    /** Output lines kept for an error message. */
    private static final int TAIL_LINES = 40;

    public NotebookExecutor {
        Objects.requireNonNull(python, "NotebookExecutor.python");
        Objects.requireNonNull(kernel, "NotebookExecutor.kernel");
        if (startAttempts < 2) {
            throw new IllegalArgumentException("NotebookExecutor.startAttempts must be >= 2 (one retry), was " + startAttempts);
        }
        env = Map.copyOf(env);
    }

    /**
     * What happened to one notebook.
     *
     * @param notebook the notebook
     * @param ok       whether every cell ran without error
     * @param attempts nbconvert runs: 1, more when the kernel's start was retried
     * @param seconds  wall time of all attempts
     * @param message  on failure, why (nbconvert's last lines)
     */
    public record Outcome(Path notebook, boolean ok, int attempts, double seconds, String message) {}

    /**
     * Checks that {@link #python} has nbconvert, nbclient and jupyter_client.
     *
     * @throws IllegalStateException saying how to install them
     */
    public void requireJupyter() throws IOException, InterruptedException {
        var p = new ProcessBuilder(python.toString(), "-c", "import nbconvert, nbclient, jupyter_client")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(python + " cannot import nbconvert, nbclient and jupyter_client ("
                    + lastLine(out) + "); install Jupyter from Debian: apt-get install -y jupyter-nbconvert "
                    + "python3-nbclient jupyter-client python3-ipykernel (they belong to /usr/bin/python3)");
        }
    }

    /**
     * Executes {@code notebook}, writing the executed copy with its outputs to {@code outDir} (same file name), or
     * over the notebook itself when empty.
     */
    public Outcome execute(Path notebook, Optional<Path> outDir) throws IOException, InterruptedException {
        long start = System.nanoTime();
        int attempts = 1;
        var attempt = attempt(notebook, outDir);
        while (!attempt.ok() && isStartFailure(attempt.output()) && attempts < startAttempts) {
            attempts++;
            attempt = attempt(notebook, outDir);
        }
        return outcome(notebook, attempt, attempts, start);
    }

    /** Whether nbconvert's output says the kernel never started (worth one retry), not that a cell failed. */
    static boolean isStartFailure(String output) {
        return !output.contains("CellExecutionError") && START_FAILURE.matcher(output).find();
    }

    /** The nbconvert command line for one notebook. */
    List<String> command(Path notebook, Optional<Path> outDir) {
        var cmd = new ArrayList<>(List.of(python.toString(), "-m", "nbconvert", "--to", "notebook", "--execute",
                "--ExecutePreprocessor.kernel_name=" + kernel,
                "--ExecutePreprocessor.startup_timeout=" + startTimeout.toSeconds(),
                "--ExecutePreprocessor.timeout=" + cellTimeout.toSeconds(),
                // no timestamps in the saved outputs, so re-running a notebook changes only what it computes
                "--ExecutePreprocessor.record_timing=False"));
        if (outDir.isPresent()) cmd.addAll(List.of("--output-dir", outDir.get().toString()));
        else cmd.add("--inplace");
        cmd.add(notebook.toString());
        return cmd;
    }

    private record Attempt(boolean ok, String output) {}

    private Attempt attempt(Path notebook, Optional<Path> outDir) throws IOException, InterruptedException {
        if (outDir.isPresent()) Files.createDirectories(outDir.get());
        var builder = new ProcessBuilder(command(notebook, outDir)).redirectErrorStream(true);
        builder.environment().putAll(env);
        Path log = Files.createTempFile("servelab-nbconvert", ".log");
        try {
            var process = builder.redirectOutput(log.toFile()).start();
            // nbconvert bounds the start and each cell itself; this bounds everything else (a wedged Python)
            long limit = startTimeout.plus(cellTimeout).toSeconds() * 2 + 60;
            if (!process.waitFor(limit, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                return new Attempt(false, Files.readString(log) + "\nservelab: nbconvert did not finish within " + limit
                        + " s and was stopped");
            }
            return new Attempt(process.exitValue() == 0, Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static Outcome outcome(Path notebook, Attempt attempt, int attempts, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return new Outcome(notebook, attempt.ok(), attempts, seconds, attempt.ok() ? "" : tail(attempt.output()));
    }

    /**
     * The part of nbconvert's output that explains a failure: from nbclient's {@code CellExecutionError} (the
     * failing cell's source and the kernel's error) when there is one, else the last lines; terminal colours
     * removed.
     */
    static String tail(String output) {
        String text = ANSI.matcher(output).replaceAll("");
        int cell = text.indexOf("CellExecutionError:");
        if (cell >= 0) text = text.substring(text.lastIndexOf('\n', cell) + 1);
        var lines = text.lines().filter(l -> !l.contains("Debugger warning") && !l.contains("frozen modules")
                && !l.contains("PYDEVD_DISABLE_FILE_VALIDATION") && !l.contains("-Xfrozen_modules")).toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
    }

    private static String lastLine(String output) {
        var lines = output.strip().lines().toList();
        return lines.isEmpty() ? "no output" : lines.getLast();
    }

    /** Variables every run needs: quiet Python debugger checks, and {@code extra}. */
    public static Map<String, String> environment(Map<String, String> extra) {
        var env = new LinkedHashMap<String, String>();
        env.put("PYDEVD_DISABLE_FILE_VALIDATION", "1");
        env.putAll(extra);
        return env;
    }
}
