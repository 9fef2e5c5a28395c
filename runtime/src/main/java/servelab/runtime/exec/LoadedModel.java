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
                c.vocabularySize(), c.parameters(tied) / 1e6, llama.weights().layers().getFirst().wq().format());
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
