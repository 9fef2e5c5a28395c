package servelab.kernels.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import servelab.kernels.Kernels;
import servelab.kernels.attention.KvAddress;
import servelab.kernels.attention.PagedKvCache;
import servelab.kernels.gguf.GgufFile;
import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.model.Forward;
import servelab.kernels.model.ForwardState;
import servelab.kernels.model.Llama;
import servelab.kernels.model.RandomLlama;
import servelab.kernels.model.SequenceChunk;

/** A whole forward pass with the weight matmuls on the TornadoVM device equals the Java reference. */
class ForwardOnDeviceTest {
    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"F32", "Q8_0"})
    void prefillAndDecodesOnTheDeviceMatchTheReference(WeightFormat format) throws Exception {
        var path = dir.resolve("tiny.gguf");
        RandomLlama.write(path, RandomLlama.Spec.tiny(format), 5);
        try (var file = GgufFile.open(path); var device = TornadoMatmul.create()) {
            var model = Llama.load(file);
            var c = model.config();
            var prompt = model.tokenizer().encode("The batcher decides how many tokens each request computes.");
            var address = new KvAddress.Blocks(new int[] {0, 1, 2, 3, 4, 5});
            var onCpu = new PagedKvCache(c.layers(), c.kvHeads(), c.headDim(), 16, 6);
            var onDevice = new PagedKvCache(c.layers(), c.kvHeads(), c.headDim(), 16, 6);
            var cpu = new ForwardState(c, Kernels.reference());
            var gpu = new ForwardState(c, Kernels.offload(Kernels.reference(), device));
            var chunk = List.of(SequenceChunk.prefill(prompt, 0, address, true));
            float[] expected = Forward.step(model, cpu, onCpu, chunk).row(0, 0);
            float[] actual = Forward.step(model, gpu, onDevice, chunk).row(0, 0);
            int token = prompt[prompt.length - 1];
            for (int step = 0; step < 6; step++) {
                for (int v = 0; v < expected.length; v++) {
                    // the device may contract multiply-adds into fma: a few ulp per dot product, through the layers
                    assertEquals(expected[v], actual[v], 1e-3f * Math.max(1f, Math.abs(expected[v])),
                            "step " + step + ", logit " + v);
                }
                token = servelab.kernels.sample.Sampler.argmax(expected, 0, expected.length);
                var decode = List.of(SequenceChunk.decode(token, prompt.length + step, address));
                expected = Forward.step(model, cpu, onCpu, decode).row(0, 0);
                actual = Forward.step(model, gpu, onDevice, decode).row(0, 0);
            }
            assertTrue(device.describe().startsWith("TornadoVM "), device.describe());
        }
    }
}
