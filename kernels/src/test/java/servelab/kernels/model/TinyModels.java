package servelab.kernels.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

import servelab.kernels.gguf.GgufFile;
import servelab.kernels.matmul.WeightFormat;

/** Generated tiny models, one per weight format, written once per JVM into a temporary directory and kept open. */
final class TinyModels {
    private static final Map<WeightFormat, Llama> MODELS = new EnumMap<>(WeightFormat.class);
    private static Path dir;

    private TinyModels() {}

    static synchronized Llama of(WeightFormat format) {
        return MODELS.computeIfAbsent(format, f -> {
            try {
                if (dir == null) {
                    dir = Files.createTempDirectory("servelab-tiny-models");
                    dir.toFile().deleteOnExit();
                }
                var path = dir.resolve("tiny-" + f + ".gguf");
                RandomLlama.write(path, RandomLlama.Spec.tiny(f), 42);
                path.toFile().deleteOnExit();
                // stays open (mapped) until the JVM exits: the model's matrices are views of it
                return Llama.load(GgufFile.open(path));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static Llama f32() {
        return of(WeightFormat.F32);
    }
}
