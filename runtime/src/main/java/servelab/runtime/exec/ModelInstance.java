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
import servelab.kernels.model.SequenceChunk;
import servelab.runtime.engine.TokenSpace;

/**
 * One model as an executor runs it: the shared, read-only weights ({@link LoadedModel}) apart from what this
 * executor owns and mutates: the forward state (activations), a paged KV pool whose block ids are the engine's, and
 * the host-tier copy of blocks that swap preemption and offload move out of the pool. The model executor has one for
 * the target model and, for the {@code draft-model} speculator, one for the draft model; both pools are addressed by
 * the same block ids (as vLLM's draft workers share the target's block tables), so a copy the engine plans moves
 * both models' keys and values of those positions.
 */
final class ModelInstance {
    private final LoadedModel model;
    private final ForwardState state;
    private final PagedKvCache cache;
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

    ModelInstance(LoadedModel model, Kernels kernels, Layout layout) {
        var c = model.llama().config();
        this.blockFloats = c.kvHeads() * layout.blockSize() * c.headDim();
        long floats = (long) (layout.blocks() + layout.scratch()) * blockFloats;
        if (floats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(layout.blocks() + " KV blocks of " + layout.blockSize() + " tokens need "
                    + floats + " floats per layer, more than one Java array holds; use fewer kv.blocks");
        }
        long hostFloats = (long) layout.hostBlocks() * blockFloats;
        if (hostFloats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(layout.hostBlocks() + " host blocks need " + hostFloats
                    + " floats per layer, more than one Java array holds; use fewer kv.host_blocks");
        }
        this.model = model;
        this.cache = new PagedKvCache(c.layers(), c.kvHeads(), c.headDim(), layout.blockSize(),
                layout.blocks() + layout.scratch());
        this.state = new ForwardState(c, kernels);
        int hostLayers = layout.hostBlocks() > 0 ? c.layers() : 0;
        this.hostKeys = new float[hostLayers][(int) hostFloats];
        this.hostValues = new float[hostLayers][(int) hostFloats];
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
        return cache.blockSize();
    }

    /** A forward pass of every layer over {@code chunks}, keys and values into the pool. */
    Logits forward(List<SequenceChunk> chunks) {
        return Forward.step(model.llama(), state, cache, chunks);
    }

    /** A forward pass of the first {@code layers} layers only (layer-skip drafting). */
    Logits forward(List<SequenceChunk> chunks, int layers) {
        return Forward.step(model.llama(), state, cache, chunks, layers);
    }

    /**
     * The keys and values of {@code chunks} without logits: how a draft model's pool keeps in step with the target's
     * for every position the target computes.
     */
    void store(List<SequenceChunk> chunks) {
        var kvOnly = new ArrayList<SequenceChunk>(chunks.size());
        for (var chunk : chunks) kvOnly.add(new SequenceChunk(chunk.tokens(), chunk.startPosition(), chunk.kv(), 0));
        Forward.step(model.llama(), state, cache, kvOnly);
    }

    /** Copies pool block {@code device} to host slot {@code host} (swap-out), or back (swap-in). */
    void copy(int device, int host, boolean toHost) {
        int d = device * blockFloats, h = host * blockFloats;
        for (int l = 0; l < hostKeys.length; l++) {
            copy(cache.keys(l), d, hostKeys[l], h, toHost);
            copy(cache.values(l), d, hostValues[l], h, toHost);
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
        int blockSize = cache.blockSize();
        int prefill = Math.min(64, c.contextLength() - 8);
        int blocksNeeded = (prefill + 8 + blockSize - 1) / blockSize;
        if (blocksNeeded > cache.blocks() || prefill < 1) return 0;
        var table = new int[blocksNeeded];
        for (int b = 0; b < table.length; b++) table[b] = b;
        var address = new KvAddress.Blocks(table);
        var prompt = new int[prefill];
        for (int i = 0; i < prompt.length; i++) prompt[i] = tokens.first() + i % tokens.count();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        int steps = 0;
        while (steps < 3 || System.nanoTime() < deadline) {
            forward(List.of(SequenceChunk.prefill(prompt, 0, address, true)));
            for (int d = 0; d < 8; d++) forward(List.of(SequenceChunk.decode(prompt[d], prefill + d, address)));
            steps += 9;
        }
        return steps;
    }

    /** Bytes of the KV pool, scratch blocks included. */
    long poolBytes() {
        return cache.blocks() * cache.blockBytes();
    }
}
