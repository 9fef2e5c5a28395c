package servelab.kernels.tornado;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import servelab.kernels.attention.KvAddress;
import servelab.kernels.gguf.GgufFile;
import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.model.Llama;
import servelab.kernels.model.RandomLlama;
import servelab.kernels.model.SequenceChunk;

/**
 * Decode throughput of {@link DeviceForward}: for each weight format, a random-weight Llama is generated (not
 * loaded: nothing is carried or downloaded), one device plan is built for the largest batch, every sequence is
 * prefilled, then {@code --steps} greedy decode steps of the whole batch are timed. Prints and appends one JSON line
 * per (format, batch): tokens/s, step time and the weight bytes read per second (a decode step reads every weight
 * once, so at batch 1 that is the achieved memory bandwidth) and the attention splits of the last step
 * ({@code -Dservelab.tornado.attentionSplits=1} turns splitting off, for a side-by-side over long prompts). {@code --keep true} leaves the model files in
 * {@code --dir} as {@code decode-FORMAT.gguf}; {@code --write FILE} only writes a model of the shape and first format.
 *
 * <pre>
 * java @$TORNADOVM_HOME/tornado-argfile @kernels/tornadovm/jvm-flags -cp ... servelab.kernels.tornado.DecodeBenchmark \
 *     --shape 1b --formats F16,Q8_0 --batches 1,8,32,128 --prompt 32 --steps 32 --dir /tmp/models --out decode.jsonl
 * </pre>
 */
public final class DecodeBenchmark {
    private static final int BLOCK = 16;

    /** Parsed command line. */
    record Options(String shape, List<WeightFormat> formats, int[] batches, int prompt, int steps, Path dir,
                   Path out, boolean keep, Path write) {}

    private DecodeBenchmark() {}

    public static void main(String[] args) throws IOException {
        var o = parse(args);
        if (o.write() != null) {   // only generate a model (for a servelab run or the PyTorch side-by-side)
            RandomLlama.write(o.write(), shape(o.shape(), o.formats().get(0)), 1);
            return;
        }
        Files.createDirectories(o.dir());
        try (var out = new PrintStream(Files.newOutputStream(o.out()), true)) {
            for (var format : o.formats()) {
                run(o, format, out);
            }
        }
    }

    /** Named shapes: {@code 1b} is Llama 3.2 1B's body (its vocabulary is the small generated one), {@code small} a quick rehearsal. */
    static RandomLlama.Spec shape(String name, WeightFormat format) {
        return switch (name) {
            case "1b" -> new RandomLlama.Spec(2048, 16, 32, 8, 8192, 2048, format, false, true);
            case "small" -> new RandomLlama.Spec(256, 4, 8, 4, 768, 512, format, false, true);
            default -> {
                var d = Arrays.stream(name.split(",")).mapToInt(Integer::parseInt).toArray();
                if (d.length != 5) {
                    throw new IllegalArgumentException("--shape is 1b, small or DIM,LAYERS,HEADS,KV_HEADS,FFN, was '" + name + "'");
                }
                yield new RandomLlama.Spec(d[0], d[1], d[2], d[3], d[4], 2048, format, false, true);
            }
        };
    }

    private static void run(Options o, WeightFormat format, PrintStream out) throws IOException {
        var spec = shape(o.shape(), format);
        var path = o.dir().resolve("decode-" + format + ".gguf");
        long t0 = System.nanoTime();
        RandomLlama.write(path, spec, 1);
        System.err.printf(Locale.ROOT, "generated %s (%d MB) in %.1f s%n", path, Files.size(path) >> 20, (System.nanoTime() - t0) / 1e9);
        int maxBatch = Arrays.stream(o.batches()).max().orElseThrow();
        int blocksPerSeq = (o.prompt() + o.steps() + 2 + BLOCK - 1) / BLOCK;
        try (var file = GgufFile.open(path)) {
            var model = Llama.load(file);
            long weightBytes = weightBytes(model);
            var capacity = new DeviceForward.Capacity(Math.max(maxBatch, 256), maxBatch, maxBatch, blocksPerSeq,
                    maxBatch * blocksPerSeq, BLOCK);
            t0 = System.nanoTime();
            try (var device = new DeviceForward(model, capacity)) {
                for (int batch : o.batches()) {
                    var line = measure(model, device, batch, o, weightBytes, format);
                    if (t0 != 0) {
                        System.err.printf(Locale.ROOT, "first batch (with plan compile) done after %.1f s%n", (System.nanoTime() - t0) / 1e9);
                        t0 = 0;
                    }
                    System.out.println(line);
                    out.println(line);
                }
            }
        } finally {
            if (!o.keep()) Files.deleteIfExists(path);
        }
    }

    private static String measure(Llama model, DeviceForward device, int batch, Options o, long weightBytes,
                                  WeightFormat format) {
        var cap = device.capacity();
        var tables = new KvAddress.Blocks[batch];
        for (int s = 0; s < batch; s++) {
            var table = new int[cap.maxBlocks()];
            for (int b = 0; b < table.length; b++) table[b] = s * cap.maxBlocks() + b;
            tables[s] = new KvAddress.Blocks(table);
        }
        int vocabulary = model.config().vocabularySize();
        var next = new int[batch];
        // prefill: as many whole prompts per step as the plan's token capacity holds
        int perStep = Math.max(1, Math.min(cap.sequences(), cap.tokens() / o.prompt()));
        for (int first = 0; first < batch; first += perStep) {
            var chunks = new ArrayList<SequenceChunk>();
            for (int s = first; s < Math.min(batch, first + perStep); s++) {
                var prompt = new int[o.prompt()];
                for (int i = 0; i < prompt.length; i++) prompt[i] = (s * 31 + i * 7) % vocabulary;
                chunks.add(SequenceChunk.prefill(prompt, 0, tables[s], true));
            }
            int[] ids = device.step(chunks);
            System.arraycopy(ids, 0, next, first, ids.length);
        }
        int position = o.prompt();
        // sequence 0's greedy tokens, to compare with another implementation of the same model (torch_decode.py)
        var first = new StringBuilder().append(next[0]);
        for (int warm = 0; warm < 2; warm++) {
            next = device.step(decodes(next, position++, tables));
            first.append(',').append(next[0]);
        }
        long start = System.nanoTime();
        for (int step = 0; step < o.steps(); step++) {
            next = device.step(decodes(next, position++, tables));
            if (step < 5) first.append(',').append(next[0]);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double stepMs = seconds * 1e3 / o.steps();
        return String.format(Locale.ROOT, "{\"format\":\"%s\",\"batch\":%d,\"tokens_per_s\":%.2f,\"step_ms\":%.3f,"
                        + "\"weight_gb_per_s\":%.2f,\"weight_bytes\":%d,\"context\":%d,\"attention_splits\":%d,\"layers\":%d,"
                        + "\"dim\":%d,\"device\":\"%s\",\"tokens0\":[%s]}",
                format, batch, batch * o.steps() / seconds, stepMs, weightBytes / (stepMs / 1e3) / 1e9, weightBytes,
                position, device.lastRunSplits(), model.config().layers(), model.config().dim(),
                DeviceChoice.describe().replace("\"", "'"), first);
    }

    private static List<SequenceChunk> decodes(int[] tokens, int position, KvAddress.Blocks[] tables) {
        var chunks = new ArrayList<SequenceChunk>(tokens.length);
        for (int s = 0; s < tokens.length; s++) chunks.add(SequenceChunk.decode(tokens[s], position, tables[s]));
        return chunks;
    }

    /** Bytes of every matrix a decode step reads (layers and classifier; the embedding reads one row per token). */
    static long weightBytes(Llama model) {
        var w = model.weights();
        long bytes = w.classifier().data().byteSize();
        for (var l : w.layers()) {
            for (var m : List.of(l.wq(), l.wk(), l.wv(), l.wo(), l.gate(), l.up(), l.down())) bytes += m.data().byteSize();
        }
        return bytes;
    }

    static Options parse(String[] args) {
        String shape = "1b";
        List<WeightFormat> formats = List.of(WeightFormat.F16, WeightFormat.Q8_0);
        int[] batches = {1, 8, 32, 128};
        int prompt = 32, steps = 32;
        Path dir = Path.of(System.getProperty("java.io.tmpdir")), out = Path.of("decode.jsonl"), write = null;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            String key = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException(key + " needs a value");
            String v = args[++i];
            switch (key) {
                case "--shape" -> {
                    shape(v, WeightFormat.F16);   // refuses a bad shape before anything runs
                    shape = v;
                }
                case "--formats" -> formats = Arrays.stream(v.split(",")).map(WeightFormat::valueOf).toList();
                case "--batches" -> batches = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--prompt" -> prompt = Integer.parseInt(v);
                case "--steps" -> steps = Integer.parseInt(v);
                case "--dir" -> dir = Path.of(v);
                case "--out" -> out = Path.of(v);
                case "--keep" -> keep = Boolean.parseBoolean(v);
                case "--write" -> write = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + key
                        + " (--shape, --formats, --batches, --prompt, --steps, --dir, --out, --keep, --write)");
            }
        }
        return new Options(shape, formats, batches, prompt, steps, dir, out, keep, write);
    }
}
