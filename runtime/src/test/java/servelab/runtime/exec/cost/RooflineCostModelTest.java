package servelab.runtime.exec.cost;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RooflineCostModelTest {
    @TempDir
    Path dir;

    private RooflineCostModel toy(String yaml) {
        return (RooflineCostModel) CostModels.load(TestProfiles.write(dir, "toy.yaml", yaml));
    }

    @Test
    void decodeStepMatchesHandComputation() {
        var model = toy(TestProfiles.TOY);
        // given: one sequence decoding one token against 10 context tokens
        var parts = model.breakdown(0, 1, 1, 0, 10);
        // then: FLOP = linear 2x2x576 = 2304 + LM head 2x256 = 512 + attention 4x2x2x4 x 10 = 640 -> 3456 x 2 ns
        assertEquals(6_912, parts.computeNanos(), 1e-6);
        // bytes = weights 5632 + KV read 64 x 10 + KV write 64 x 1 = 6336 -> x 20 ns
        assertEquals(126_720, parts.memoryNanos(), 1e-6);
        assertTrue(parts.isMemoryBound());
        // step = max + 10 us overhead
        assertEquals(136_720, model.stepNanos(0, 1, 1, 0, 10));
    }

    @Test
    void prefillStepMatchesHandComputation() {
        var model = toy(TestProfiles.TOY);
        // given: a 256-token prompt from scratch: pairs = 256 x 257 / 2 = 32,896; logits for its last token only
        var parts = model.breakdown(256, 0, 1, 32_896, 0);
        // then: FLOP = 2304 x 256 + 512 x 1 + (4 x 2 x 2 x 4 = 64) x 32,896 = 2,695,680 -> x 2 ns
        assertEquals(5_391_360, parts.computeNanos(), 1e-6);
        // bytes = 5632 + KV read 64 x 32,896 / 128 (= 257 tokens) + KV write 64 x 256 = 38,464 -> x 20 ns
        assertEquals(769_280, parts.memoryNanos(), 1e-6);
        assertFalse(parts.isMemoryBound());
        assertEquals(5_401_360, model.stepNanos(256, 0, 1, 32_896, 0));
    }

    @Test
    void tensorParallelAddsAllReducesAndReplicatesTheSingleKvHead() {
        // given: the toy split over 2 devices; its 1 KV head is replicated, so KV per token doubles to 128 bytes
        var yaml = TestProfiles.replace(TestProfiles.TOY, "  devices: 1\n",
                "  devices: 2\n  interconnect_bytes_per_s: 1.0e9\n");
        yaml = TestProfiles.replace(yaml, "  step_overhead_us: 10\n", "  step_overhead_us: 10\n  allreduce_latency_us: 5\n");
        var model = toy(yaml);
        var parts = model.breakdown(0, 1, 1, 0, 10);
        // then: 2 layers x 2 all-reduces x (5 us + 2 x (2-1)/2 x 1 token x 8 x 2 B / 1e9 B/s = 16 ns) = 20,064 ns
        assertEquals(20_064, parts.allReduceNanos(), 1e-6);
        // bytes = 5632 + 128 x 10 + 128 x 1 = 7040 over two devices: 7040 x 20 ns / 2
        assertEquals(70_400, parts.memoryNanos(), 1e-6);
        assertEquals(128, model.profile().kvBytesPerToken(), 0, "2 x 2 layers x 2 stored heads x 4 x 4 B");
    }

    @Test
    void aStepWithoutTokensCostsNothing() {
        assertEquals(0, toy(TestProfiles.TOY).stepNanos(0, 0, 0, 0, 0));
    }

    @Test
    void negativeArgumentsAreRejected() {
        var model = toy(TestProfiles.TOY);
        var e = assertThrows(IllegalArgumentException.class, () -> model.stepNanos(1, -1, 1, 1, 0));
        assertTrue(e.getMessage().contains("decodeTokens=-1"), e.getMessage());
    }

    @Test
    void swapMovesKvBytesAtTheEffectiveHostLinkRate() {
        // 10 blocks x 4 tokens x 64 B = 2560 B at 1e7 B/s x 0.5 = 512 us
        assertEquals(512_000, toy(TestProfiles.TOY).swapNanos(10, 4));
        assertEquals(0, toy(TestProfiles.TOY).swapNanos(0, 4));
    }

    @Test
    void llama8bDecodeAtBatchOneIsMemoryBoundAndLongPrefillIsComputeBound() {
        for (var name : new String[] {"llama-3-8b/a100-80gb", "llama-3-8b/h100-80gb"}) {
            var model = (RooflineCostModel) CostModels.load(name);
            assertTrue(model.breakdown(0, 1, 1, 0, 1024).isMemoryBound(), name + " batch-1 decode");
            assertFalse(model.breakdown(2048, 0, 1, 2048L * 2049 / 2, 0).isMemoryBound(), name + " 2048-token prefill");
        }
    }

    @Test
    void llama8bOnH100DecodesAtTheBandwidthBoundFromPublicFigures() {
        var model = CostModels.load("llama-3-8b/h100-80gb");
        // Public figure: batch-1 decode of Llama-3-8B bf16 on H100 streams ~16 GB of weights at 3.35 TB/s, ~5 ms.
        // This model gives 6.151 ms: 15.01 GB of matmul weights (the 1.05 GB embedding table is not streamed)
        // / (3.35 TB/s x 0.8) = 5.601 ms + 1k-context KV 0.05 ms + 0.5 ms step overhead.
        double ms = model.stepNanos(0, 1, 1, 0, 1024) / 1e6;
        assertEquals(6.151, ms, 0.001);
    }

    @Test
    void llama70bNeedsAllReducesOnEveryStep() {
        var model = (RooflineCostModel) CostModels.load("llama-3-70b/h100-80gb-tp4");
        // 80 layers x 2 all-reduces x 8 us latency = 1.28 ms before any bytes move
        assertTrue(model.breakdown(0, 1, 1, 0, 1024).allReduceNanos() > 1.28e6);
        assertEquals("roofline llama-3-70b on 4x h100-80gb (bf16, tp=4)", model.describe());
    }
}
