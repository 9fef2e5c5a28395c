package servelab.kernels.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import servelab.kernels.attention.Attention;
import servelab.kernels.attention.AttentionShape;
import servelab.kernels.attention.ContiguousKvCache;
import servelab.kernels.attention.KvAddress;
import servelab.kernels.attention.KvCache;
import servelab.kernels.attention.PagedKvCache;

/**
 * Decode attention of one token (all 32 query heads, 8 KV heads of 64, as in Llama 3.2 1B) over {@code context}
 * cached positions of one layer, on one thread: the contiguous slot against a paged sequence of 16-position blocks
 * scattered over the pool by a shuffled block table. Reads {@code 2 x context x 512 x 4} bytes of keys and values.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class AttentionBenchmark {
    private static final AttentionShape SHAPE = new AttentionShape(32, 8, 64);
    private static final int BLOCK_SIZE = 16;

    @Param({"1024", "4096"})
    public int context;

    @Param({"contiguous", "paged"})
    public String layout;

    private KvCache cache;
    private KvAddress address;
    private float[] q;
    private float[] out;

    @Setup
    public void setUp() {
        var random = new SplittableRandom(5);
        int blocks = context / BLOCK_SIZE;
        if (layout.equals("paged")) {
            // twice the blocks the sequence needs, its table a random subset: neighbours in the sequence are not neighbours in memory
            cache = new PagedKvCache(1, SHAPE.kvHeads(), SHAPE.headDim(), BLOCK_SIZE, 2 * blocks);
            var ids = new int[2 * blocks];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = i;
            }
            for (int i = ids.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = ids[i];
                ids[i] = ids[j];
                ids[j] = t;
            }
            address = new KvAddress.Blocks(java.util.Arrays.copyOf(ids, blocks));
        } else {
            cache = new ContiguousKvCache(1, SHAPE.kvHeads(), SHAPE.headDim(), 1, context);
            address = new KvAddress.Slot(0);
        }
        int kvDim = SHAPE.kvHeads() * SHAPE.headDim();
        var k = new float[kvDim];
        var v = new float[kvDim];
        for (int p = 0; p < context; p++) {
            for (int i = 0; i < kvDim; i++) {
                k[i] = (float) random.nextGaussian();
                v[i] = (float) random.nextGaussian();
            }
            cache.store(0, address, p, k, 0, v, 0);
        }
        q = new float[SHAPE.heads() * SHAPE.headDim()];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) random.nextGaussian();
        }
        out = new float[q.length];
    }

    @Benchmark
    public float[] decodeAttention() {
        for (int g = 0; g < SHAPE.kvHeads(); g++) {
            Attention.tiled(SHAPE, cache, 0, address, context, g, q, 0, out, 0);
        }
        return out;
    }
}
