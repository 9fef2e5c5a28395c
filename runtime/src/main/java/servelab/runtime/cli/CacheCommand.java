package servelab.runtime.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import servelab.api.PluginKind;
import servelab.api.kv.Eviction;
import servelab.api.kv.PrefixCache;
import servelab.datasets.ReadOptions;
import servelab.datasets.Traces;
import servelab.runtime.engine.CacheReplay;
import servelab.runtime.host.PluginSelection;
import servelab.runtime.host.Testbed;

/** {@code servelab cache replay}: a prefix cache and eviction policy alone over a trace. */
@Command(name = "cache", mixinStandardHelpOptions = true, description = "Study prefix caches without the engine.",
        subcommands = CacheCommand.Replay.class)
final class CacheCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw MissingCommand.of(spec); // its usage on stderr, exit 2: it printed the usage and exited 0
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = {"Replay a trace's prompts through a prefix-cache plugin and an eviction plugin in arrival",
                    "order with no compute, and print the block hit ratio for each cache size. With block size",
                    "512 on the Mooncake trace this reproduces its reference statistics (stats.json).",
                    "With --host-blocks, evicted blocks go to a host-memory tier of that size and a lookup",
                    "that misses on the device goes on there (the engine's kv.offload).",
                    "The trace is read as a run reads it: rows with zero tokens are skipped, and a prompt without",
                    "hash_ids is blocks no other prompt shares (all misses); trace stats counts the hash_ids blocks of",
                    "every raw row instead, so on traces with such rows the two hit ratios differ.",
                    "Example: servelab cache replay conversation_trace.jsonl --blocks 1000,10000,100000,inf"})
    static final class Replay implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "a trace with prefix blocks (Mooncake JSONL)")
        Path file;

        @Option(names = "--prefix-cache", defaultValue = "hash-block", description = "prefix-cache plugin (default ${DEFAULT-VALUE})")
        String prefixCache;

        @Option(names = "--eviction", defaultValue = "lru", description = "eviction plugin (default ${DEFAULT-VALUE})")
        String eviction;

        @Option(names = "--blocks", split = ",", defaultValue = "inf",
                description = "cache sizes in blocks, comma-separated; inf = every block of the trace (default inf)")
        List<String> sizes;

        @Option(names = "--block-size", defaultValue = "512", description = "tokens per block (default ${DEFAULT-VALUE}); at the trace's own block size a partial last "
                + "block counts as the reference statistics count it, at any other only whole blocks are shared, as "
                + "in the engine")
        int blockSize;

        @Option(names = "--host-blocks", defaultValue = "0",
                description = "blocks of a host-memory tier for evicted blocks (default 0: none)")
        int hostBlocks;

        @Mixin PluginsDirOption pluginsDir;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            // the options first, before the trace is read or anything is printed
            if (hostBlocks < 0) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--host-blocks must be >= 0, was " + hostBlocks);
            if (blockSize < 1) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--block-size must be >= 1, was " + blockSize);
            for (var size : sizes) {
                if (!size.equals("inf") && !size.replace("_", "").matches("[1-9][0-9]{0,8}")) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--blocks: each size is a "
                            + "whole number of blocks from 1 to 999999999, or inf; was '" + servelab.runtime.host.Printable.of(size) + "'");
                }
            }
            var trace = Traces.readAll(file, ReadOptions.DEFAULT);
            int total = 0;
            for (var r : trace) total += Math.ceilDiv(Math.max(r.inputTokens(), r.prefixBlockIds().length * r.prefixBlockTokens()), blockSize);
            var out = spec.commandLine().getOut();
            if (trace.stream().allMatch(r -> r.prefixBlockIds().length == 0)) {
                // prompts are made per request when a trace has no prefix ids, so nothing can hit: say so, not 0.00%
                spec.commandLine().getErr().println(spec.qualifiedName() + ": warning: " + file.getFileName() + " has no "
                        + "prefix information (no Mooncake hash_ids), so every prompt is distinct and no block can hit");
                spec.commandLine().getErr().flush();
            }
            long without = trace.stream().filter(r -> r.prefixBlockIds().length == 0).count();
            if (without > 0 && without < trace.size()) {
                spec.commandLine().getErr().println(spec.qualifiedName() + ": note: " + without + " of " + trace.size()
                        + " requests have no hash_ids; their prompt blocks count as misses here, while trace stats "
                        + "leaves them out of its hit ratios");
                spec.commandLine().getErr().flush();
            }
            try (var testbed = Testbed.start(pluginsDir.resolve(), (t, k, f, to, d) -> {
                if (t.equals("fault")) spec.commandLine().getErr().println("servelab cache: " + d);
            })) {
                var registry = testbed.registry();
                // both plugins made once before the table's header: an unknown one printed the header, then its error
                registry.instantiate(PluginSelection.of(PluginKind.PREFIX_CACHE, prefixCache));
                registry.instantiate(PluginSelection.of(PluginKind.EVICTION, eviction));
                out.printf("%-12s %-10s %12s %14s %12s", "prefix-cache", "eviction", "blocks", "hit blocks", "hit ratio");
                out.printf(hostBlocks > 0 ? " %12s %14s%n" : "%n", "host blocks", "host hits");
                for (var size : sizes) {
                    int capacity = size.equals("inf") ? total : Integer.parseInt(size.replace("_", ""));
                    var cache = (PrefixCache) registry.instantiate(PluginSelection.of(PluginKind.PREFIX_CACHE, prefixCache)).policy();
                    var evict = (Eviction) registry.instantiate(PluginSelection.of(PluginKind.EVICTION, eviction)).policy();
                    var r = CacheReplay.run(trace.iterator(), cache, evict, capacity, hostBlocks, blockSize);
                    out.printf("%-12s %-10s %12s %14d %11.2f%%", prefixCache, eviction, size, r.hitBlocks(), 100 * r.hitRatio());
                    if (hostBlocks > 0) out.printf(" %12d %14d%n", hostBlocks, r.hostHitBlocks()); else out.println();
                    out.flush();
                }
            }
            return 0;
        }
    }
}
