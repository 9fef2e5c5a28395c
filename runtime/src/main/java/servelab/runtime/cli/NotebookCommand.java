package servelab.runtime.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import servelab.runtime.install.Installation;
import servelab.runtime.jupyter.KernelSpec;
import servelab.runtime.jupyter.NotebookExecutor;

/** {@code servelab notebook}: the Java kernel for Jupyter, the notebooks' runs, and headless execution. */
@Command(name = "notebook", mixinStandardHelpOptions = true,
        description = "Jupyter notebooks over ServeLab results (notebooks/*.ipynb, Java kernel).",
        subcommands = {NotebookCommand.Install.class, NotebookCommand.Runs.class, NotebookCommand.Run.class})
final class NotebookCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw MissingCommand.of(spec); // its usage on stderr, exit 2: it printed the usage and exited 0
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = {"Register a Jupyter kernelspec that starts a Java kernel with ServeLab's jars on the class",
                    "path and the JVM flags it needs, so notebooks just import servelab.runtime.notebook.*.",
                    "Uses an installed IJava or JJava kernel when there is one, else the rapaio kernel from Maven",
                    "Central (io.github.padreati:rapaio-jupyter-kernel, fetched by the build)."})
    static final class Install implements Callable<Integer> {
        @Option(names = "--kernels-dir", paramLabel = "DIR",
                description = "where to write NAME/kernel.json (default: the user's, ~/.local/share/jupyter/kernels)")
        Path kernelsDir;

        @Option(names = "--name", description = "kernel name (default ${DEFAULT-VALUE})")
        String name = KernelSpec.DEFAULT_NAME;

        @Option(names = "--rapaio", description = "use the rapaio kernel even when IJava or JJava is installed")
        boolean rapaio;

        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            var installation = Installation.current();
            var spec = rapaio ? KernelSpec.rapaio(installation, name)
                    : KernelSpec.forServelab(installation, name, KernelSpec.searchDirs());
            var file = spec.writeTo(kernelsDir != null ? kernelsDir : KernelSpec.userKernelsDir());
            this.spec.commandLine().getOut().printf("installed kernel '%s' (%s kernel) at %s%n", spec.name(),
                    spec.kernel(), file);
            this.spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "runs", mixinStandardHelpOptions = true,
            description = {"Make the runs the notebooks read: the demo's three policies (sweep/) and a run whose",
                    "scheduler is switched from fcfs to sjf with `servelab ctl` at " + (int) NotebookRuns.SWAP_AT_S
                            + " s of run time (hot-swap/), and a 12-point `servelab sweep` (param-sweep/)."})
    static final class Runs implements Callable<Integer> {
        @Option(names = "--out", paramLabel = "DIR", description = "folder of the runs (default runs/notebooks)")
        Path out;

        @Mixin PluginsDirOption pluginsDir;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            var dir = out != null ? out : defaultRunsDir();
            for (var run : NotebookRuns.make(dir, pluginsDir.resolve())) spec.commandLine().getOut().println("made " + run);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Execute notebooks headless with `python -m nbconvert --execute` on the 'servelab'",
                    "kernel (installed privately under target/jupyter for this), after making their runs if",
                    "they are missing. Outputs are saved into the notebooks, or into --out. A kernel that does",
                    "not start in time is started again (--start-attempts); a cell error fails the notebook.",
                    "Jupyter from Debian: apt-get install -y jupyter-nbconvert python3-nbclient jupyter-client",
                    "python3-ipykernel (for /usr/bin/python3)."})
    static final class Run implements Callable<Integer> {
        @Parameters(arity = "0..*", paramLabel = "NOTEBOOK", description = "notebooks (default notebooks/*.ipynb)")
        List<Path> notebooks = new ArrayList<>();

        @Option(names = "--out", paramLabel = "DIR", description = "write executed copies here instead of in place")
        Path out;

        @Option(names = "--runs", paramLabel = "DIR", description = "the notebooks' runs (default runs/notebooks)")
        Path runs;

        @Option(names = "--fresh-runs", description = "make the runs again even if they exist")
        boolean freshRuns;

        @Option(names = "--python", paramLabel = "PYTHON", description = "Python with nbconvert (default ${DEFAULT-VALUE})")
        Path python = Path.of("/usr/bin/python3");

        @Option(names = "--start-timeout", paramLabel = "SECONDS",
                description = "kernel start timeout; a good start takes about 3 s (default ${DEFAULT-VALUE})")
        int startTimeout = 20;

        @Option(names = "--start-attempts", paramLabel = "N",
                description = "kernel starts to try per notebook, the rapaio kernel's start hangs now and then "
                        + "(default ${DEFAULT-VALUE})")
        int startAttempts = 4;

        @Option(names = "--cell-timeout", paramLabel = "SECONDS", description = "timeout per cell (default ${DEFAULT-VALUE})")
        int cellTimeout = 300;

        @Option(names = "--rapaio", description = "use the rapaio kernel even when IJava or JJava is installed")
        boolean rapaio;

        @Mixin PluginsDirOption pluginsDir;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            var stdout = spec.commandLine().getOut();
            var installation = Installation.current();
            var list = notebooks.isEmpty() ? allNotebooks(installation.home().resolve("notebooks")) : notebooks;
            for (var notebook : list) { // before minutes of runs: a typo got them made, then nbconvert's usage text
                if (!Files.isRegularFile(notebook) || !notebook.toString().endsWith(".ipynb")) {
                    throw new IllegalArgumentException(notebook + (Files.isDirectory(notebook)
                            ? " is a folder, not a notebook (the notebooks' runs go with --runs DIR)"
                            : Files.exists(notebook) ? " is not a notebook (.ipynb)" : ": no such notebook"));
                }
            }
            var runsDir = (runs != null ? runs : defaultRunsDir()).toAbsolutePath();
            var executor = new NotebookExecutor(python, KernelSpec.DEFAULT_NAME, Duration.ofSeconds(startTimeout),
                    startAttempts, Duration.ofSeconds(cellTimeout), NotebookExecutor.environment(Map.of(
                    "JUPYTER_PATH", kernelFor(installation).toString(), "SERVELAB_RUNS", runsDir.toString())));
            executor.requireJupyter();
            if (freshRuns || !NotebookRuns.exist(runsDir)) {
                stdout.println("making the notebooks' runs in " + runsDir);
                stdout.flush();
                NotebookRuns.make(runsDir, pluginsDir.resolve());
            }
            int failed = 0;
            for (var nb : list) {
                var r = executor.execute(nb.toAbsolutePath(), Optional.ofNullable(out).map(Path::toAbsolutePath));
                stdout.printf("%-6s %s (%.1f s%s)%n", r.ok() ? "ok" : "FAILED", nb, r.seconds(),
                        r.attempts() > 1 ? ", kernel started " + r.attempts() + " times" : "");
                if (!r.ok()) {
                    failed++;
                    spec.commandLine().getErr().println(r.message());
                }
                stdout.flush();
            }
            if (failed > 0) spec.commandLine().getErr().printf("servelab notebook run: %d of %d notebooks failed%n", failed, list.size());
            return failed == 0 ? 0 : 1;
        }

        /** Installs the kernelspec privately (target/jupyter/kernels) and returns the JUPYTER_PATH entry for it. */
        private Path kernelFor(Installation installation) throws IOException {
            var jupyterDir = installation.home().resolve("target/jupyter");
            var spec = rapaio ? KernelSpec.rapaio(installation, KernelSpec.DEFAULT_NAME)
                    : KernelSpec.forServelab(installation, KernelSpec.DEFAULT_NAME, KernelSpec.searchDirs());
            spec.writeTo(jupyterDir.resolve("kernels"));
            return jupyterDir;
        }

        private static List<Path> allNotebooks(Path dir) throws IOException {
            if (!Files.isDirectory(dir)) throw new IllegalArgumentException("no notebooks folder at " + dir);
            try (Stream<Path> files = Files.list(dir)) {
                return files.filter(f -> f.toString().endsWith(".ipynb")).sorted().toList();
            }
        }
    }

    static Path defaultRunsDir() {
        return Installation.current().home().resolve("runs/notebooks");
    }
}
