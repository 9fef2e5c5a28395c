package servelab.runtime.exec;

import java.util.ArrayList;
import java.util.List;

import servelab.kernels.Kernels;
import servelab.kernels.attention.KvAddress;
import servelab.kernels.attention.PagedKvCache;
import servelab.kernels.model.Config;
import servelab.kernels.model.Forward;
import servelab.kernels.model.ForwardState;
import servelab.kernels.model.Logits;
import servelab.kernels.model.ResidentForward;
import servelab.kernels.model.SequenceChunk;
import servelab.kernels.sample.Sampler;
import servelab.runtime.engine.TokenSpace;

/**
 * One model as an executor runs it: the shared, read-only weights ({@link LoadedModel}) apart from what this
 * executor owns and mutates: the forward state (activations), a paged KV pool whose block ids are the engine's, and
 * the host-tier copy of blocks that swap preemption and offload move out of the pool. The model executor has one for
 * the target model and, for the {@code draft-model} speculator, one for the draft model; both pools are addressed by
 * the same block ids (as vLLM's draft workers share the target's block tables), so a copy the engine plans moves
 * both models' keys and values of those positions.
 *
 * <p>On the {@code tornadovm} backend the pool and the forward pass live on the device ({@link ResidentForward}):
 * there is no pool in host memory, a step brings back the greedy token of each logit row and the logits only when
 * asked for, and swaps copy blocks between the device pool and the same host tier.
 */
final class ModelInstance {
    private final LoadedModel model;
    private final ForwardState state;
    /** The pool in host memory, or {@code null} when it is on the device. */
    private final PagedKvCache cache;
    /** The device-resident forward pass and pool, or {@code null} on the CPU. */
    private final ResidentForward device;
    private final int blockSize;
    /** Pool blocks: the engine's and the scratch blocks. */
    private final int poolBlocks;
    /** Host-tier slots (swap preemption, offloaded prefix blocks): per layer, keys and values of each slot. */
    private final float[][] hostKeys;
    private final float[][] hostValues;
    /** Floats of one block in one layer's keys (or values), in the pool and in the host tier alike. */
    private final int blockFloats;

    /**
     * How the pool is laid out.
     *
     * @param blockSize  positions per block
     * @param blocks     the engine's device blocks, ids {@code 0 .. blocks - 1}
     * @param scratch    pool blocks past the engine's, for executor-side drafts
     * @param hostBlocks host-tier slots
     */
    record Layout(int blockSize, int blocks, int scratch, int hostBlocks) {}

    /**
     * What a forward pass gave: per chunk its logit rows' tokens (greedy, or drawn on the device where the pass was
     * given {@link ResidentForward.Draws}), and their logits unless the pass ran on the device and they were not asked
     * for.
     *
     * @param firstRow per chunk, its first logit row (one extra entry: the total)
     * @param tokens   the token of each row, or {@code null}: the argmax of {@code computed}
     * @param computed the logit rows, or {@code null} when they were not brought back
     * @param verified per chunk, the tokens its verification on the device kept, or {@code null} (also per chunk)
     */
    record Output(int[] firstRow, int[] tokens, Logits computed, int[][] verified) {
        static Output of(Logits logits) {
            return new Output(logits.firstRow(), null, logits, null);
        }

        /** The tokens chunk {@code chunk}'s verification on the device kept, or {@code null} when it had none. */
        int[] verifiedOnDevice(int chunk) {
            return verified == null ? null : verified[chunk];
        }

        int rows(int chunk) {
            return firstRow[chunk + 1] - firstRow[chunk];
        }

        /**
         * The token of row {@code j} of {@code chunk}: the device's draw where it drew one, else the greedy token (the
         * lowest id on ties).
         */
        int token(int chunk, int j) {
            if (j < 0 || j >= rows(chunk)) {
                throw new IndexOutOfBoundsException("chunk " + chunk + " has " + rows(chunk) + " logit rows, asked for " + j);
            }
            if (tokens != null) return tokens[firstRow[chunk] + j];
            return Sampler.argmax(computed.values(), computed.offset(chunk, j), computed.vocabularySize());
        }

        /** The logits; throws when they were not brought back. */
        Logits logits() {
            if (computed == null) throw new IllegalStateException("the logits of this pass were not asked for");
            return computed;
        }
    }

    /**
     * The instance on the CPU kernels, or on the device when {@code resident} is not {@code null} (its pool then has
     * the engine's blocks and the scratch blocks).
     */
    ModelInstance(LoadedModel model, Kernels kernels, Layout layout, ResidentForward.Opener resident) {
        var c = model.llama().config();
        check(model, layout);
        this.blockFloats = c.kvHeads() * layout.blockSize() * c.headDim();
        long hostFloats = (long) layout.hostBlocks() * blockFloats;
        this.model = model;
        this.blockSize = layout.blockSize();
        int poolBlocks = layout.blocks() + layout.scratch();
        this.poolBlocks = poolBlocks;
        this.state = new ForwardState(c, kernels);
        // the host tier has every layer when there is one, as the device's swaps copy whole blocks
        int hostLayers = layout.hostBlocks() > 0 ? c.layers() : 0;
        this.hostKeys = new float[hostLayers][(int) hostFloats];
        this.hostValues = new float[hostLayers][(int) hostFloats];
        if (resident == null) {
            this.cache = new PagedKvCache(c.layers(), c.kvHeads(), c.headDim(), layout.blockSize(), poolBlocks);
            this.device = null;
        } else {
            this.cache = null;
            this.device = resident.open(model.llama(), layout.blockSize(), poolBlocks);
        }
    }

    /**
     * Throws, naming the experiment key to change, when {@code layout}'s pool or host tier is larger than one Java
     * array holds for {@code model} (what no other backend would mend).
     */
    static void check(LoadedModel model, Layout layout) {
        var c = model.llama().config();
        long blockFloats = (long) c.kvHeads() * layout.blockSize() * c.headDim();
        long floats = (layout.blocks() + (long) layout.scratch()) * blockFloats;
        if (floats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(layout.blocks() + " KV blocks of " + layout.blockSize() + " tokens need "
                    + floats + " floats per layer, more than one Java array holds; use fewer kv.blocks");
        }
        long hostFloats = layout.hostBlocks() * blockFloats;
        if (hostFloats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(layout.hostBlocks() + " host blocks need " + hostFloats
                    + " floats per layer, more than one Java array holds; use fewer kv.host_blocks");
        }
    }

    LoadedModel model() {
        return model;
    }

    Config config() {
        return model.llama().config();
    }

    ForwardState state() {
        return state;
    }

    int blockSize() {
        return blockSize;
    }

    /** The device-resident forward pass, or {@code null} on the CPU. */
    ResidentForward device() {
        return device;
    }

    /**
     * A forward pass of the first {@code layers} layers (fewer than all: layer-skip drafting), greedy tokens. On the
     * CPU the logits are always there; on the device only when {@code withLogits}.
     */
    Output forward(List<SequenceChunk> chunks, int layers, boolean withLogits) {
        return forward(chunks, layers, null, withLogits);
    }

    /**
     * As {@link #forward(List, int, boolean)}, with the rows of {@code draws} drawn on the device; on the CPU
     * {@code draws} is ignored (the executor samples from the logits).
     */
    Output forward(List<SequenceChunk> chunks, int layers, ResidentForward.Draws draws, boolean withLogits) {
        if (device == null) return Output.of(Forward.step(model.llama(), state, cache, chunks, layers));
        var step = device.step(chunks, layers, draws, withLogits);
        int[] firstRow = new int[chunks.size() + 1];
        for (int s = 0; s < chunks.size(); s++) firstRow[s + 1] = firstRow[s] + chunks.get(s).logitTokens();
        return new Output(firstRow, step.tokens(), step.logits(), step.verified());
    }

    /**
     * The keys and values of {@code chunks} without logits: how a draft model's pool keeps in step with the target's
     * for every position the target computes.
     */
    void store(List<SequenceChunk> chunks) {
        var kvOnly = new ArrayList<SequenceChunk>(chunks.size());
        for (var chunk : chunks) kvOnly.add(new SequenceChunk(chunk.tokens(), chunk.startPosition(), chunk.kv(), 0));
        forward(kvOnly, config().layers(), false);
    }

    /**
     * Copies pool blocks {@code blocks[i]} to host slots {@code slots[i]} (swap-out, {@code toHost}), or the slots
     * into the blocks (swap-in).
     */
    void copy(int[] blocks, int[] slots, boolean toHost) {
        if (blocks.length == 0) return;
        if (hostKeys.length == 0) {
            throw new IllegalStateException("a block copy to or from the host tier, which has no slots (kv.host_blocks)");
        }
        if (device != null) {
            if (toHost) device.read(blocks, slots, hostKeys, hostValues);
            else device.write(blocks, slots, hostKeys, hostValues);
            return;
        }
        for (int i = 0; i < blocks.length; i++) {
            int d = blocks[i] * blockFloats, h = slots[i] * blockFloats;
            for (int l = 0; l < hostKeys.length; l++) {
                copy(cache.keys(l), d, hostKeys[l], h, toHost);
                copy(cache.values(l), d, hostValues[l], h, toHost);
            }
        }
    }

    private void copy(float[] pool, int d, float[] host, int h, boolean toHost) {
        if (toHost) System.arraycopy(pool, d, host, h, blockFloats);
        else System.arraycopy(host, h, pool, d, blockFloats);
    }

    /**
     * Runs throw-away steps for about {@code seconds} (at least three) so that the JIT has compiled the kernels
     * before the first timed step; otherwise the first requests of a run pay for compilation. The steps write
     * positions of block 0 onwards, which the engine has not handed out yet; nothing reads them later, because the
     * engine only lets a sequence attend to positions it computed itself or found in the prefix cache.
     *
     * @return steps run
     */
    int warmUp(double seconds, TokenSpace tokens) {
        var c = config();
        int prefill = Math.min(64, maxContext() - 8);
        int blocksNeeded = (prefill + 8 + blockSize - 1) / blockSize;
        if (blocksNeeded > poolBlocks || prefill < 1) return 0;
        var table = new int[blocksNeeded];
        for (int b = 0; b < table.length; b++) table[b] = b;
        var address = new KvAddress.Blocks(table);
        var prompt = new int[prefill];
        for (int i = 0; i < prompt.length; i++) prompt[i] = tokens.first() + i % tokens.count();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        int steps = 0;
        while (steps < 3 || System.nanoTime() < deadline) {
            forward(List.of(SequenceChunk.prefill(prompt, 0, address, true)), c.layers(), false);
            for (int d = 0; d < 8; d++) {
                forward(List.of(SequenceChunk.decode(prompt[d], prefill + d, address)), c.layers(), false);
            }
            steps += 9;
        }
        return steps;
    }

    /** Bytes of the KV pool (in host or device memory), scratch blocks included. */
    long poolBytes() {
        return 2L * config().layers() * poolBlocks * blockFloats * Float.BYTES;
    }

    /** Positions one sequence may have: the model's context, or less where the device attention holds less. */
    int maxContext() {
        int context = config().contextLength();
        return device == null ? context : Math.min(context, device.maxContext());
    }

    /** Frees the device's memory, if any. */
    void close() {
        if (device != null) device.close();
    }

    /**
     * A draft model's ids must mean the target's tokens: the same vocabulary, token by token (the same size is not
     * enough: a draft whose token 300 was spelt otherwise was accepted).
     */
    static void checkDraft(LoadedModel model, LoadedModel draft) {
        int size = draft.llama().config().vocabularySize(), target = model.llama().config().vocabularySize();
        if (size != target) {
            throw new IllegalArgumentException("draft model " + draft.path().getFileName() + " has a vocabulary of "
                    + size + " tokens, the target " + target + ": drafts must be target tokens");
        }
        var mine = draft.llama().tokenizer().vocabulary().tokens();
        var theirs = model.llama().tokenizer().vocabulary().tokens();
        for (int id = 0; id < mine.size(); id++) {
            if (!mine.get(id).equals(theirs.get(id))) {
                throw new IllegalArgumentException("draft model " + draft.path().getFileName() + "'s token " + id
                        + " is '" + mine.get(id) + "', the target's '" + theirs.get(id) + "': drafts must be target tokens");
            }
        }
    }
}
