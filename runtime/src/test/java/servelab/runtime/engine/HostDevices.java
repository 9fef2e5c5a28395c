package servelab.runtime.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

import servelab.kernels.Kernels;
import servelab.kernels.attention.PagedKvCache;
import servelab.kernels.model.Forward;
import servelab.kernels.model.ForwardState;
import servelab.kernels.model.Llama;
import servelab.kernels.model.Logits;
import servelab.kernels.model.ResidentForward;
import servelab.kernels.model.SequenceChunk;
import servelab.kernels.sample.Sampler;
import servelab.kernels.sample.SamplingParams;
import servelab.kernels.sample.SeededSampler;
import servelab.kernels.sample.SpeculativeVerifier;

/**
 * {@link ResidentForward} in host memory, for tests of the model executor's device side without TornadoVM: the
 * reference forward over its own paged pool, the draws and verifications done with the CPU's own code on the
 * uniforms the executor sent, and counters of what crossed.
 */
final class HostDevices {
    private HostDevices() {}

    /** A "device" in host memory: the reference forward over its own paged pool, counting what crosses to it. */
    static final class Device implements ResidentForward {
        final Llama llama;
        final PagedKvCache pool;
        final ForwardState state;
        final int maxContext;
        int steps, logitSteps, blocksRead, blocksWritten, drawn, verified;
        boolean closed;

        Device(Llama llama, int blockSize, int poolBlocks, int maxContext) {
            var c = llama.config();
            this.llama = llama;
            this.pool = new PagedKvCache(c.layers(), c.kvHeads(), c.headDim(), blockSize, poolBlocks);
            this.state = new ForwardState(c, Kernels.reference());
            this.maxContext = maxContext;
        }

        @Override
        public Step step(List<SequenceChunk> chunks, int layers, Draws draws, boolean withLogits) {
            steps++;
            Logits logits = Forward.step(llama, state, pool, chunks, layers);
            int rows = logits.firstRow()[chunks.size()];
            var tokens = new int[rows];
            int v = logits.vocabularySize();
            for (int r = 0; r < rows; r++) {
                var p = draws == null ? null : draws.params()[r];
                if (p == null || p.isGreedy()) {
                    tokens[r] = Sampler.argmax(logits.values(), r * v, v);
                    continue;
                }
                drawn++;
                tokens[r] = SeededSampler.draw(p.probabilities(logits.values(), r * v, v),
                        replay(new double[] {draws.uniform()[r]}));
            }
            int[][] kept = null;
            if (draws != null && draws.verify() != null) {
                kept = new int[chunks.size()][];
                for (int c = 0; c < chunks.size(); c++) {
                    var verify = draws.verify()[c];
                    if (verify == null) continue;
                    verified++;
                    int[] t = chunks.get(c).tokens();
                    var params = SamplingParams.temperature(verify.temperature());
                    var target = new float[t.length][];
                    for (int j = 0; j < t.length; j++) {
                        target[j] = params.probabilities(logits.values(), logits.offset(c, j), v);
                    }
                    kept[c] = SpeculativeVerifier.rejectionByDraw(Arrays.copyOfRange(t, 1, t.length), target,
                            verify.uniforms()).tokens();
                }
            }
            if (!withLogits) return new Step(tokens, null, kept);
            logitSteps++;
            return new Step(tokens, new Logits(Arrays.copyOf(logits.values(), rows * v), v, logits.firstRow().clone()),
                    kept);
        }

        @Override
        public void read(int[] blocks, int[] slots, float[][] keys, float[][] values) {
            blocksRead += blocks.length;
            copy(blocks, slots, keys, values, true);
        }

        @Override
        public void write(int[] blocks, int[] slots, float[][] keys, float[][] values) {
            blocksWritten += blocks.length;
            copy(blocks, slots, keys, values, false);
        }

        private void copy(int[] blocks, int[] slots, float[][] keys, float[][] values, boolean toHost) {
            int n = blockFloats();
            for (int i = 0; i < blocks.length; i++) {
                for (int l = 0; l < keys.length; l++) {
                    if (toHost) {
                        System.arraycopy(pool.keys(l), blocks[i] * n, keys[l], slots[i] * n, n);
                        System.arraycopy(pool.values(l), blocks[i] * n, values[l], slots[i] * n, n);
                    } else {
                        System.arraycopy(keys[l], slots[i] * n, pool.keys(l), blocks[i] * n, n);
                        System.arraycopy(values[l], slots[i] * n, pool.values(l), blocks[i] * n, n);
                    }
                }
            }
        }

        @Override
        public int blockFloats() {
            var c = llama.config();
            return c.kvHeads() * pool.blockSize() * c.headDim();
        }

        @Override
        public int maxContext() {
            return maxContext;
        }

        @Override
        public String describe() {
            return "host memory (a test's device)";
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** A generator whose {@code nextDouble()}s are {@code values}, in order: what the device was given. */
    static RandomGenerator replay(double[] values) {
        return new RandomGenerator() {
            private int next;

            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public double nextDouble() {
                return values[next++];
            }
        };
    }

    /** Opens {@link Device}s and keeps them, so a test can look at what crossed. */
    static final class Opener implements ResidentForward.Opener {
        final List<Device> opened = new ArrayList<>();
        final int maxContext;

        Opener(int maxContext) {
            this.maxContext = maxContext;
        }

        @Override
        public ResidentForward open(Llama llama, int blockSize, int poolBlocks) {
            var d = new Device(llama, blockSize, poolBlocks, Math.min(maxContext, llama.config().contextLength()));
            opened.add(d);
            return d;
        }

        Device target() {
            return opened.getFirst();
        }
    }

}
