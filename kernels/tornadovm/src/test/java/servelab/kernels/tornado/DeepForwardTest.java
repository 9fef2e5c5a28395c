package servelab.kernels.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static servelab.kernels.tornado.DeviceForwardTest.check;
import static servelab.kernels.tornado.DeviceForwardTest.tinyShaped;
import static servelab.kernels.tornado.DeviceForwardTest.tokens;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import servelab.kernels.Kernels;
import servelab.kernels.attention.KvAddress;
import servelab.kernels.attention.PagedKvCache;
import servelab.kernels.gguf.GgufFile;
import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.model.ForwardState;
import servelab.kernels.model.Llama;
import servelab.kernels.model.RandomLlama;
import servelab.kernels.model.SequenceChunk;

/**
 * A model as deep as Llama 3.2 1B (16 layers) on the device: its forward step runs as a chain of task graphs
 * ({@link ForwardGraphs}; one graph of 12 layers or more overflowed TornadoVM 5.2's fixed 8 KiB graph buffer, so such
 * a model could not be planned). A prefill, a layer-skip draft that stops inside the second graph, a swap out and
 * back in under other block ids (the swap graphs take the pool from the chain's last graph) and decodes, each against
 * the CPU reference forward: greedy tokens identical, logits within 1e-3.
 */
class DeepForwardTest {
    private static final int BLOCK = 16;
    @TempDir Path dir;

    @ParameterizedTest(name = "tied embeddings: {0}")
    @ValueSource(booleans = {false, true})   // tied: the last graph sends the embedding again as the classifier
    void sixteenLayersRunAsAChainOfGraphsAndMatchTheReference(boolean tied) throws Exception {
        var path = dir.resolve("deep.gguf");
        var spec = tinyShaped(WeightFormat.Q8_0, 16, RandomLlama.Spec.tiny(WeightFormat.Q8_0).contextLength(), tied);
        RandomLlama.write(path, spec, 19);
        try (var file = GgufFile.open(path)) {
            var model = Llama.load(file);
            var c = model.config();
            try (var device = new DeviceForward(model, new DeviceForward.Capacity(32, 2, 2, 4, 12, BLOCK))) {
                var cache = new PagedKvCache(c.layers(), c.kvHeads(), c.headDim(), BLOCK, 12);
                var cpu = new ForwardState(c, Kernels.reference());
                var a = new KvAddress.Blocks(new int[] {0, 1});
                int next = check(model, device, cpu, cache,
                        List.of(SequenceChunk.prefill(tokens(c.vocabularySize(), 20, 4), 0, a, true)))[0];
                // a layer-skip draft of 6 layers: the second graph runs two of its four
                check(model, device, cpu, cache, List.of(SequenceChunk.decode(next, 20, a)), 6);
                int blockFloats = device.blockFloats();
                var hostKeys = new float[c.layers()][2 * blockFloats];
                var hostValues = new float[c.layers()][2 * blockFloats];
                device.read(new int[] {0, 1}, new int[] {1, 0}, hostKeys, hostValues);
                for (int l = 0; l < c.layers(); l++) {
                    assertArrayEquals(Arrays.copyOfRange(cache.keys(l), 0, blockFloats),
                            Arrays.copyOfRange(hostKeys[l], blockFloats, 2 * blockFloats), 1e-4f, "layer " + l + " keys");
                }
                device.write(new int[] {5, 6}, new int[] {1, 0}, hostKeys, hostValues);
                for (int l = 0; l < c.layers(); l++) {   // the same move in the reference pool
                    System.arraycopy(cache.keys(l), 0, cache.keys(l), 5 * blockFloats, 2 * blockFloats);
                    System.arraycopy(cache.values(l), 0, cache.values(l), 5 * blockFloats, 2 * blockFloats);
                }
                var moved = new KvAddress.Blocks(new int[] {5, 6});
                for (int p = 20; p < 23; p++) {
                    next = check(model, device, cpu, cache, List.of(SequenceChunk.decode(next, p, moved)))[0];
                }
            }
        }
    }
}
