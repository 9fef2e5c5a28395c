package servelab.runtime.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import servelab.runtime.record.VidurImporter;
import servelab.runtime.record.VllmImporter;

/** {@code servelab import vllm|vidur FILE}: other tools' results as a ServeLab requests table. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Turn another tool's per-request results into a ServeLab run folder (requests.arrow and",
                "run.json), so they can be compared beside ServeLab runs. Columns the tool lacks are null."},
        subcommands = {ImportCommand.Vllm.class, ImportCommand.Vidur.class})
final class ImportCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw MissingCommand.of(spec); // its usage on stderr, exit 2: it printed the usage and exited 0
    }

    @Command(name = "vllm", mixinStandardHelpOptions = true,
            description = "Import a `vllm bench serve` result JSON saved with per-request details.")
    static final class Vllm implements Callable<Integer> {
        @Parameters(paramLabel = "FILE.json") Path file;
        @Option(names = "--out", required = true, paramLabel = "RUN_DIR", description = "run folder to create") Path out;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            int n = VllmImporter.importTo(file, out);
            spec.commandLine().getOut().printf("imported %,d requests from %s into %s%n", n, file, out);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "vidur", mixinStandardHelpOptions = true,
            description = "Import a Vidur request_metrics.csv.")
    static final class Vidur implements Callable<Integer> {
        @Parameters(paramLabel = "request_metrics.csv") Path file;
        @Option(names = "--out", required = true, paramLabel = "RUN_DIR", description = "run folder to create") Path out;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            int n = VidurImporter.importTo(file, out);
            spec.commandLine().getOut().printf("imported %,d requests from %s into %s%n", n, file, out);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
