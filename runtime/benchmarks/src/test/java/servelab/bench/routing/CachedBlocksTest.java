package servelab.bench.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import servelab.api.route.BlockHashes;

/** The benchmark's two indexes answer alike, so its per-replica and shared figures measure the same answers. */
class CachedBlocksTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 64, 65, 130})
    void sharedIndexAnswersAsPerReplicaSets(int replicas) {
        var random = new SplittableRandom(replicas);
        var perReplica = new CachedBlocks.PerReplica(replicas, 400);
        var shared = new CachedBlocks.Shared(replicas, 400 * replicas);
        for (int r = 0; r < replicas; r++) {
            for (int c = 0; c < 20; c++) {
                int chain = random.nextInt(50);
                int length = 1 + random.nextInt(8); // prefixes of different lengths
                for (int b = 0; b < length; b++) {
                    perReplica.add(r, RouterBenchmark.blockHash(chain, b));
                    shared.add(r, RouterBenchmark.blockHash(chain, b));
                }
            }
        }
        for (int k = 0; k < 200; k++) {
            int chain = random.nextInt(50);
            long[] hashes = new long[8];
            for (int b = 0; b < 8; b++) hashes[b] = RouterBenchmark.blockHash(chain, b);
            var blocks = BlockHashes.of(16, hashes);
            for (int r = 0; r < replicas; r++) {
                assertEquals(perReplica.leading(r, blocks), shared.leading(r, blocks), "replica " + r + ", chain " + chain);
            }
        }
    }
}
