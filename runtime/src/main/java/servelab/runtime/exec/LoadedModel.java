package servelab.runtime.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import servelab.kernels.gguf.GgufFile;
import servelab.kernels.gguf.GgufFormatException;
import servelab.kernels.model.Llama;
import servelab.runtime.engine.TokenSpace;

/**
 * A model's weights: a GGUF file mapped once and shared by the executors of all replicas (the weights are read-only
 * views of the mapping), apart from any mutable state (llama3.java's split; see {@link ModelInstance}). Close it
 * after the run.
 */
public final class LoadedModel implements AutoCloseable {
    private final Path path;
    private final GgufFile file;
    private final Llama llama;

    private LoadedModel(Path path, GgufFile file, Llama llama) {
        this.path = path;
        this.file = file;
        this.llama = llama;
    }

    /** Maps and checks {@code path}; a bad file fails with a message naming the file and what is wrong. */
    public static LoadedModel open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException("model file " + path + (Files.isDirectory(path)
                    ? " is a folder; give the .gguf file in it" : " does not exist"));
        }
        GgufFile file = null;
        try {
            file = GgufFile.open(path);
            return new LoadedModel(path, file, Llama.load(file));
        } catch (GgufFormatException | IllegalArgumentException e) {
            if (file != null) file.close();
            throw new IOException("model file " + path + " cannot be used: " + e.getMessage(), e);
        }
    }

    public Llama llama() {
        return llama;
    }

    public Path path() {
        return path;
    }

    /** E.g. {@code model.gguf: llama, 12 layers, width 1024, vocabulary 128256, 136.2 M parameters, Q8_0}. */
    public String describe() {
        var c = llama.config();
        boolean tied = file.find("output.weight").isEmpty();
        return String.format(Locale.ROOT, "%s: llama, %d layers, width %d, %d/%d heads, vocabulary %d, %.1f M "
                        + "parameters, %s", path.getFileName(), c.layers(), c.dim(), c.heads(), c.kvHeads(),
                c.vocabularySize(), c.parameters(tied) / 1e6, formats(matrices(llama.weights(), tied)));
    }

    /** Every weight matrix: the embedding, each layer's seven, and the classifier unless tied to the embedding. */
    private static java.util.List<servelab.kernels.matmul.Matrix> matrices(servelab.kernels.model.Weights w, boolean tied) {
        var all = new java.util.ArrayList<servelab.kernels.matmul.Matrix>();
        all.add(w.tokenEmbedding());
        for (var l : w.layers()) all.addAll(java.util.List.of(l.wq(), l.wk(), l.wv(), l.wo(), l.gate(), l.up(), l.down()));
        if (!tied) all.add(w.classifier());
        return all;
    }

    /**
     * The matrices' weight format, or, for a file that mixes them (as many published GGUFs do), each format with
     * its share of the weights, largest first: {@code Q8_0 64%, F32 36%} (it named layer 0's query matrix's alone).
     */
    static String formats(java.util.List<servelab.kernels.matmul.Matrix> matrices) {
        var weights = new java.util.EnumMap<servelab.kernels.matmul.WeightFormat, Long>(servelab.kernels.matmul.WeightFormat.class);
        long total = 0;
        for (var m : matrices) {
            weights.merge(m.format(), (long) m.rows() * m.cols(), Long::sum);
            total += (long) m.rows() * m.cols();
        }
        if (weights.size() == 1) return weights.keySet().iterator().next().toString();
        var parts = new java.util.ArrayList<String>();
        long all = total;
        weights.entrySet().stream().sorted(java.util.Map.Entry.<servelab.kernels.matmul.WeightFormat, Long>comparingByValue()
                .reversed()).forEach(e -> parts.add(e.getKey() + " " + Math.round(100.0 * e.getValue() / all) + "%"));
        return String.join(", ", parts) + " of the weights";
    }

    /** Bytes of one KV block of {@code blockSizeTokens} positions (keys and values, all layers, F32). */
    public long kvBlockBytes(int blockSizeTokens) {
        var c = llama.config();
        return 2L * c.layers() * c.kvHeads() * c.headDim() * blockSizeTokens * Float.BYTES;
    }

    /** The ids below the first special token: prompt tokens made for a trace without text are drawn from them. */
    public TokenSpace ordinaryTokens() {
        var tokenizer = llama.tokenizer();
        int n = 0;
        while (n < tokenizer.vocabularySize() && !tokenizer.isSpecial(n)) n++;
        return new TokenSpace(0, Math.max(1, n));
    }

    @Override
    public void close() {
        file.close();
    }
}
