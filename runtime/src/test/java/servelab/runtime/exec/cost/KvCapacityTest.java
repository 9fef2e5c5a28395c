package servelab.runtime.exec.cost;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** blocks = floor((memory x utilisation x devices - weights - activation reserve) / (block tokens x KV bytes per token)). */
class KvCapacityTest {
    @TempDir
    Path dir;

    @Test
    void toyCapacityMatchesHandComputation() {
        var model = CostModels.load(TestProfiles.write(dir, "toy.yaml", TestProfiles.TOY));
        // budget = 1,000,000 x 0.5 - 1000 reserve - 6816 weights = 492,184 B; a 4-token block = 4 x 64 B = 256 B
        assertEquals(1922, model.kvCapacityBlocks(4)); // 492,184 / 256 = 1922.6
        assertEquals(480, model.kvCapacityBlocks(16)); // 492,184 / 1024 = 480.6
    }

    @Test
    void tinyCpuCapacityMatchesHandComputation() {
        // budget = 2 GiB x 0.9 - 256 MiB - 134,515,008 x 4 B = 1,932,735,283.2 - 268,435,456 - 538,060,032
        //        = 1,126,239,795.2 B; KV per token = 2 x 30 x 3 x 64 x 4 B = 46,080 B; 16-token block = 737,280 B
        assertEquals(1527, CostModels.load("tiny/cpu").kvCapacityBlocks(16)); // 1527.6
    }

    @Test
    void llama8bOnH100CapacityMatchesHandComputation() {
        // budget = 85,027,979,264 x 0.9 - 2 GiB - 8,030,261,248 x 2 B = 58,317,175,193.6 B;
        // KV per token = 2 x 32 x 8 x 128 x 2 B = 131,072 B; 16-token block = 2 MiB -> 27,807.9 blocks (~445k tokens)
        assertEquals(27_807, CostModels.load("llama-3-8b/h100-80gb").kvCapacityBlocks(16));
    }

    @Test
    void llama70bCapacityCountsAllFourDevices() {
        // budget = 4 x (85,027,979,264 x 0.9 - 3 GiB) - 70,553,706,496 x 2 B = 152,108,410,470.4 B;
        // KV per token = 2 x 80 x 8 x 128 x 2 B = 327,680 B; 16-token block = 5,242,880 B -> 29,012.6 blocks
        assertEquals(29_012, CostModels.load("llama-3-70b/h100-80gb-tp4").kvCapacityBlocks(16));
    }

    @Test
    void aBlockSizeBelowOneIsRejected() {
        var model = CostModels.load("tiny/cpu");
        assertThrows(IllegalArgumentException.class, () -> model.kvCapacityBlocks(0));
    }
}
