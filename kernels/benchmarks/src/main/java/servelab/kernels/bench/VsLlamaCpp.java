package servelab.kernels.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.ObjectMapper;

import servelab.kernels.Kernels;
import servelab.kernels.Parallel;
import servelab.kernels.attention.KvAddress;
import servelab.kernels.attention.PagedKvCache;
import servelab.kernels.gguf.GgufFile;
import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.model.Forward;
import servelab.kernels.model.ForwardState;
import servelab.kernels.model.Llama;
import servelab.kernels.model.RandomLlama;
import servelab.kernels.model.SequenceChunk;
import servelab.kernels.matmul.PackedWeights;

/**
 * ServeLab's side of {@code kernels/benchmarks/run vs-llamacpp}: the Llama-3.2-1B-shaped model written by
 * {@link RandomLlama} (width 2048, 16 layers, 32/8 heads of 64, FFN 8192, tied embeddings), and decode at batch
 * 1/8/32 and a 128-token prefill on it, each as tokens/s, plus the streaming read of the same mapped file and of
 * anonymous memory of the same size (the bandwidth ceilings). One JSON object per line, appended to a file that
 * {@link LlamaCppRunner} also appends to and {@link RatioTable} turns into the table.
 *
 * <pre>
 *   VsLlamaCpp generate DIR                    writes DIR/servelab-1b-{q8_0,f16}.gguf unless present
 *   VsLlamaCpp measure MODEL THREADS ROUND OUT.jsonl [SECONDS [cpu-vector|cpu-packed]]
 * </pre>
 * {@code cpu-packed} runs the forward pass with the weight matrices repacked ({@link PackedWeights}); its rows say so
 * in {@code kernels}, and {@code pack_s} is the first step's wall time, which includes the packing.
 */
public final class VsLlamaCpp {
    /** Prompt tokens: llama-bench {@code -p 128} and llama-batched-bench {@code -npp 128}. */
    static final int PROMPT = 128;
    static final int[] BATCHES = {1, 8, 32};
    private static final int BLOCK = 16;

    private VsLlamaCpp() {}

    public static void main(String[] args) throws IOException {
        switch (args.length > 0 ? args[0] : "") {
            case "generate" -> generate(Path.of(args[1]), args.length > 2
                    ? java.util.Arrays.stream(args, 2, args.length).map(f -> WeightFormat.valueOf(f.toUpperCase(Locale.ROOT))).toList()
                    : List.of(WeightFormat.Q8_0, WeightFormat.F16));
            case "measure" -> measure(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Path.of(args[4]),
                    args.length > 5 ? Double.parseDouble(args[5]) : 6, args.length > 6 ? args[6] : "cpu-vector");
            default -> {
                System.err.println("usage: VsLlamaCpp generate DIR [FORMAT...] | measure MODEL THREADS ROUND OUT.jsonl [SECONDS [cpu-vector|cpu-packed]]");
                System.exit(2);
            }
        }
    }

    /** The 1B spec in {@code format}: Llama 3.2 1B's shape with ServeLab's small BPE vocabulary. */
    static RandomLlama.Spec spec(WeightFormat format) {
        return new RandomLlama.Spec(2048, 16, 32, 8, 8192, 4096, format, true, true);
    }

    static Path modelPath(Path dir, WeightFormat format) {
        return dir.resolve("servelab-1b-" + format.name().toLowerCase(Locale.ROOT) + ".gguf");
    }

    private static void generate(Path dir, List<WeightFormat> formats) throws IOException {
        Files.createDirectories(dir);
        for (var format : formats) {
            var path = modelPath(dir, format);
            if (!Files.exists(path)) {
                var partial = dir.resolve(path.getFileName() + ".partial");
                RandomLlama.write(partial, spec(format), 1);
                Files.move(partial, path);
                System.err.println("wrote " + path + " (" + Files.size(path) + " bytes)");
            }
        }
    }

    private static void measure(Path model, int threads, int round, Path out, double seconds, String kernels)
            throws IOException {
        if (!kernels.equals("cpu-vector") && !kernels.equals("cpu-packed")) {
            throw new IllegalArgumentException("kernels must be cpu-vector or cpu-packed, was " + kernels);
        }
        var parallel = Parallel.of(threads);
        try (var file = GgufFile.open(model); var packed = kernels.equals("cpu-packed") ? new PackedWeights(parallel) : null) {
            var llama = Llama.load(file);
            var c = llama.config();
            String format = llama.weights().layers().getFirst().wq().format().name();
            var state = new ForwardState(c, packed == null ? Kernels.vector(parallel)
                    : Kernels.offload(Kernels.vector(parallel), packed));
            int blocksPerSequence = (PROMPT + 1 + BLOCK - 1) / BLOCK;
            int sequences = BATCHES[BATCHES.length - 1];
            var cache = new PagedKvCache(c.layers(), c.kvHeads(), c.headDim(), BLOCK, sequences * blocksPerSequence);
            var tables = new ArrayList<KvAddress>();
            for (int s = 0; s < sequences; s++) {
                var table = new int[blocksPerSequence];
                for (int b = 0; b < table.length; b++) {
                    table[b] = s * blocksPerSequence + b;
                }
                tables.add(new KvAddress.Blocks(table));
            }
            var random = new SplittableRandom(7);
            var prompt = random.ints(PROMPT, 0, c.vocabularySize()).toArray();
            var prefill = List.of(SequenceChunk.prefill(prompt, 0, tables.getFirst(), true));
            var results = new ArrayList<Map<String, Object>>();
            long firstStart = System.nanoTime();
            Forward.step(llama, state, cache, prefill); // with cpu-packed, the step that packs the weights
            double firstStep = (System.nanoTime() - firstStart) / 1e9;
            // the first sequence's prompt, copied block by block to the others: decode costs the same whatever the
            // cached keys hold, and one 128-token prefill is all that needs timing
            results.add(cell(format, threads, round, "prefill", PROMPT, seconds, () -> Forward.step(llama, state, cache, prefill)));
            for (int s = 1; s < sequences; s++) {
                for (int b = 0; b < blocksPerSequence; b++) {
                    cache.copyBlock(b, s * blocksPerSequence + b);
                }
            }
            for (int batch : BATCHES) {
                var decodes = new ArrayList<SequenceChunk>();
                for (int s = 0; s < batch; s++) {
                    decodes.add(SequenceChunk.decode(random.nextInt(c.vocabularySize()), PROMPT, tables.get(s)));
                }
                results.add(cell(format, threads, round, "decode" + batch, batch, seconds, () -> Forward.step(llama, state, cache, decodes)));
            }
            long weightBytes = file.tensors().stream().mapToLong(t -> t.data().byteSize()).sum();
            // the same mapping the kernels read, from the first tensor's first byte to the last one's end
            long first = file.tensors().stream().mapToLong(t -> t.data().address()).min().orElseThrow();
            long end = file.tensors().stream().mapToLong(t -> t.data().address() + t.data().byteSize()).max().orElseThrow();
            var region = java.lang.foreign.MemorySegment.ofAddress(first).reinterpret(end - first);
            results.add(stream(format, threads, round, "read_mapped", region, parallel, seconds));
            try (var arena = Arena.ofShared()) {  // shared: the pool's threads read it
                var anonymous = arena.allocate(weightBytes, 64);
                anonymous.fill((byte) 1);
                results.add(stream(format, threads, round, "read_anonymous", anonymous, parallel, seconds));
            }
            for (var r : results) {
                r.put("weight_bytes", weightBytes);
                r.put("kernels", kernels);
                r.put("first_step_s", firstStep);
            }
            append(out, results);
        }
    }

    /**
     * Tokens/s of {@code step} ({@code tokens} per call): {@link #warmUp}, then calls for about {@code seconds}.
     */
    private static Map<String, Object> cell(String format, int threads, int round, String cell, int tokens, double seconds,
                                            Runnable step) {
        warmUp(step, seconds);
        var cpu = ManagementFactory.getThreadMXBean();
        long start = System.nanoTime();
        long cpuStart = cpu.getCurrentThreadCpuTime();
        int calls = 0;
        do {
            step.run();
            calls++;
        } while (calls < 2 || System.nanoTime() - start < seconds * 1e9);
        double elapsed = (System.nanoTime() - start) / 1e9;
        var row = row("servelab", format, threads, round, cell, (double) tokens * calls / elapsed, "tokens/s");
        if (threads == 1) {
            // on one thread all work is the calling thread's: tokens per second of its CPU time is what the
            // kernels do when they run, whatever share of a core the neighbours leave them
            row.put("per_cpu_second", tokens * calls / ((cpu.getCurrentThreadCpuTime() - cpuStart) / 1e9));
        }
        return row;
    }

    private static Map<String, Object> stream(String format, int threads, int round, String cell,
                                              java.lang.foreign.MemorySegment data, Parallel parallel, double seconds) {
        warmUp(() -> StreamRead.sum(data, parallel), seconds);
        long start = System.nanoTime();
        int calls = 0;
        float sink = 0;
        do {
            sink += StreamRead.sum(data, parallel);
            calls++;
        } while (calls < 2 || System.nanoTime() - start < seconds * 1e9);
        double elapsed = (System.nanoTime() - start) / 1e9;
        var row = row("servelab", format, threads, round, cell, data.byteSize() * (double) calls / elapsed / 1e9, "GB/s");
        row.put("sink", sink);
        return row;
    }

    /**
     * Calls {@code step} for {@code seconds}, and at least once, before a cell is timed. A cell's kernels (a batch
     * size's own, the read loop) are first called in that cell, and run as C1's code until C2 has compiled them: on the
     * 1B Q4_0 model on one thread, C2's batch-1 kernel came 2.5-4 s after the cell's first call (-XX:+PrintCompilation,
     * 2026-12-07), and with one warm-up call the 3-4 s decode1 cells read 8.6 to 16.3 tokens/s from run to run.
     * llama-bench warms up too, with one run of the test before its measured ones.
     */
    static void warmUp(Runnable step, double seconds) {
        long until = System.nanoTime() + (long) (seconds * 1e9);
        do {
            step.run();
        } while (System.nanoTime() < until);
    }

    static Map<String, Object> row(String engine, String format, int threads, int round, String cell, double value, String unit) {
        var row = new LinkedHashMap<String, Object>();
        row.put("engine", engine);
        row.put("format", format);
        row.put("threads", threads);
        row.put("round", round);
        row.put("cell", cell);
        row.put("value", value);
        row.put("unit", unit);
        row.put("load1", loadAverage());
        return row;
    }

    /** The one-minute load average when the cell finished ({@code /proc/loadavg}), or -1 where there is none. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static void append(Path out, List<Map<String, Object>> rows) throws IOException {
        var json = new ObjectMapper();
        var text = new StringBuilder();
        for (var r : rows) {
            text.append(json.writeValueAsString(r)).append('\n');
            System.err.println(r);
        }
        Files.writeString(out, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
