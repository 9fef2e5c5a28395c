package servelab.runtime.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import servelab.datasets.ReadOptions;
import servelab.datasets.TraceFormat;
import servelab.datasets.TraceStats;
import servelab.datasets.Traces;
import servelab.runtime.record.Json;

/** {@code servelab trace ...}: look at request traces. */
@Command(name = "trace", mixinStandardHelpOptions = true, description = "Inspect request traces.",
        subcommands = TraceCommand.Stats.class)
final class TraceCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw MissingCommand.of(spec); // its usage on stderr, exit 2: it printed the usage and exited 0
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = {"Print a trace's statistics as JSON, with the keys and definitions of the reference",
                    "stats.json files in shared/traces: rows, span, rate, CV of inter-arrival gaps, input and",
                    "output token percentiles, index of dispersion, and for Mooncake traces the prefix-block",
                    "hit ratios of an infinite cache and of LRU caches. The file is streamed, never loaded whole."})
    static final class Stats implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "Azure or BurstGPT CSV, Mooncake JSONL, or Vidur CSV")
        Path file;

        @Option(names = "--format", description = "azure-csv, burstgpt-csv, mooncake-jsonl or vidur-csv "
                + "(default: detected from the extension and header)")
        String format;

        @Option(names = "--skip-bad-rows", description = "skip malformed rows instead of failing (counted in rows_skipped "
                + "and on stderr)")
        boolean skipBadRows;

        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            var options = skipBadRows ? ReadOptions.skippingBadRows() : ReadOptions.DEFAULT;
            var detected = format == null ? Traces.detectFormat(file) : TraceFormat.fromId(format);
            var stats = TraceStats.of(file, detected, options);
            var out = spec.commandLine().getOut();
            stats.rowsSkipped().forEach((reason, n) -> {
                if (n > 0) spec.commandLine().getErr().println("servelab trace stats: " + file.getFileName() + ": skipped "
                        + n + (n == 1 ? " row (" : " rows (") + reason + "); the statistics leave them out");
            });
            spec.commandLine().getErr().flush();
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(stats.toMap()));
            out.flush();
            return 0;
        }
    }
}
