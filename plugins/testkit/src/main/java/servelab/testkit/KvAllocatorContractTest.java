package servelab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import servelab.api.PluginKind;
import servelab.api.kv.KvAllocator;
import servelab.testkit.FakeQueues.Seq;

/**
 * What every KV allocator promises: a sequence holds at least the blocks its tokens fill, never fewer as it grows,
 * the same for the same question, an admission watermark within the pool; and a memory-bound replay on
 * {@link TinyEngine} with a continuous batcher completes every request.
 */
public abstract class KvAllocatorContractTest extends PluginContract<KvAllocator> {

    @Override
    protected final PluginKind kind() {
        return PluginKind.KV_ALLOCATOR;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void holdsAtLeastTheFilledBlocksAndNeverFewerAsASequenceGrows(long seed) {
        var random = new SplittableRandom(seed);
        for (var params : parameterSets()) {
            var allocator = create(params);
            for (int s = 0; s < 50; s++) {
                int prompt = 1 + random.nextInt(500);
                int output = 1 + random.nextInt(500);
                var seq = new Seq(s, prompt, 0, 0, output, 0, 0, "default", OptionalInt.empty());
                int blockSize = 1 << random.nextInt(6);
                int before = 0;
                for (int tokens = 0; tokens <= prompt + output; tokens += 1 + random.nextInt(7)) {
                    int held = allocator.blocksToHold(seq, tokens, blockSize);
                    String where = params + ": " + tokens + " tokens of a " + prompt + "+" + output + " sequence, blocks of "
                            + blockSize;
                    assertTrue(held >= Math.ceilDiv(tokens, blockSize), where + ": holds " + held);
                    assertTrue(held >= before, where + ": holds " + held + ", fewer than the " + before + " before");
                    assertEquals(held, allocator.blocksToHold(seq, tokens, blockSize), where + ": asked twice");
                    before = held;
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 16, 1000, 1 << 20})
    void theWatermarkIsWithinThePool(int totalBlocks) {
        for (var params : parameterSets()) {
            int headroom = create(params).admissionHeadroomBlocks(totalBlocks);
            assertTrue(headroom >= 0 && headroom <= totalBlocks, params + ": " + headroom + " of " + totalBlocks);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {31, 32, 33})
    void everyRequestOfAMemoryBoundReplayCompletes(long seed) {
        for (var params : parameterSets()) {
            // given: 30 bursty requests (up to 80 tokens, 20 blocks of 4) on a pool of 24 blocks, or of what the
            // allocator holds for the largest request alone when that is more (a reservation for the maximum context)
            var trace = RandomQueues.trace(seed, 30, 40, 40);
            var allocator = create(params);
            int blocks = 24;
            for (var r : trace) {
                var seq = Seq.waiting(r.id(), r.arrivalMs(), r.promptTokens(), r.outputTokens());
                blocks = Math.max(blocks, allocator.blocksToHold(seq, r.promptTokens() + r.outputTokens(), 4));
            }
            // when
            var run = new TinyEngine().allocator(allocator).blocks(blocks, 4).run(trace);
            // then
            for (var request : trace) {
                assertEquals(request.outputTokens(), run.request(request.id()).outputTokens(), "request " + request.id());
            }
        }
    }
}
