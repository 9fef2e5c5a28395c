package servelab.fuzz;

import java.io.IOException;
import java.nio.file.Files;

import com.code_intelligence.jazzer.junit.FuzzTest;

import servelab.kernels.gguf.GgufFile;
import servelab.kernels.gguf.GgufFormatException;
import servelab.kernels.model.Llama;

/** GGUF parsing and the Llama configuration read from it. Property: a model, or a GgufFormatException naming the file. */
class GgufFuzzTest {

    @FuzzTest(maxDuration = "6s")
    void ggufModel(byte[] bytes) throws IOException {
        var file = Inputs.write("model.gguf", bytes);
        try (var gguf = GgufFile.open(file)) {
            Llama.load(gguf);
        } catch (GgufFormatException e) {
            Inputs.requireNamed(e, "model.gguf");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
