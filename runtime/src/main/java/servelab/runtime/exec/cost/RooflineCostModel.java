package servelab.runtime.exec.cost;

/**
 * A roofline model of one engine step (after Williams, Waterman and Patterson, "Roofline", CACM 2009): a step takes
 * as long as the slower of its arithmetic and its memory traffic, plus the fixed costs a roofline cannot see.
 *
 * <pre>
 * t_step      = max(t_compute, t_memory) + t_overhead + t_allreduce          [ns]; 0 for a step with no tokens
 *
 * t_compute   = FLOP / (peak_flops_per_s x efficiency.compute x devices)
 *   FLOP      = 2 x L x P_layer x T                          linear layers (one multiply-add per weight per token)
 *             + 2 x hidden x vocab x T_logits                LM head
 *             + 4 x L x heads x head_dim x (A + C)           attention: QK^T and PV, 2 x head_dim each per head
 *                                                            per (query, key) pair
 * t_memory    = B / (memory_bandwidth_bytes_per_s x efficiency.bandwidth x devices)
 *   B         = (L x P_layer + hidden x vocab) x weight_bytes  every matmul weight read once per step
 *             + kv x C                                       decode attention reads each context token's K and V
 *             + kv x A / 128                                 prefill attention reads each key once per tile of
 *                                                            128 queries (FlashAttention-style tiling)
 *             + kv x T                                       K and V of every computed token written
 * t_overhead  = efficiency.step_overhead_us
 * t_allreduce = 2 x L x (allreduce_latency + 2 (tp-1)/tp x T x hidden x 2 B / interconnect_bytes_per_s),  tp &gt; 1
 *               two all-reduces per layer (attention output, FFN output), ring algorithm, bf16 activations,
 *               not overlapped with compute
 *
 * L = layers, T = prefillTokens + decodeTokens, A = prefillAttentionPairs, C = decodeContextTokens,
 * P_layer = matmul weights of one layer counted per projection, so grouped-query K/V are smaller than Q
 * ({@link CostProfile.Model#layerMatmulParams}), kv = KV bytes per token ({@link CostProfile#kvBytesPerToken}),
 * T_logits = min(T, decodeTokens + batchSeqs): logits are computed for every decode/verify token and for at most one
 * token of every other sequence (the last prompt token); counting batchSeqs rather than prefilling sequences makes
 * this an upper bound by at most the number of decoding sequences (&lt; 7% of the linear FLOPs for Llama-3-8B).
 * </pre>
 *
 * <p>What it leaves out, and so where real steps are slower: kernel inefficiency at small shapes (efficiency factors
 * are one number per device), activation traffic of elementwise kernels, attention tiles that are partly empty for
 * short chunks (A / 128 undercounts KV reads for chunks shorter than 128 tokens), the k + 1 queries of a
 * verification attending C keys (counted once), CPU-side scheduling beyond the fixed overhead, and overlap of
 * communication with compute.
 *
 * <p>Every quantity is precomputed in the constructor; {@link #stepNanos} is arithmetic over final fields and does
 * not allocate. Immutable and thread-safe.
 */
public final class RooflineCostModel implements CostModel {
    /** Queries per attention tile: each key and value is read from memory once per tile (FlashAttention-2's block). */
    static final int ATTENTION_QUERY_TILE = 128;
    /** Activations exchanged by the tensor-parallel all-reduce are bf16. */
    private static final int ACTIVATION_BYTES = 2;

    private final CostProfile profile;
    private final DeviceMemory memory;
    /** FLOP per token through the linear layers of all layers: 2 x L x P_layer. */
    private final double linearFlopPerToken;
    /** FLOP per token that needs logits: 2 x hidden x vocab. */
    private final double logitFlopPerToken;
    /** FLOP per (query, key) pair over all layers: 4 x L x heads x head_dim. */
    private final double attentionFlopPerPair;
    /** Weight bytes read by every step: (L x P_layer + hidden x vocab) x weight dtype bytes. */
    private final double weightBytesPerStep;
    private final double kvBytesPerToken;
    private final double nanosPerFlop;
    private final double nanosPerByte;
    private final double overheadNanos;
    /** Fixed part of the step's all-reduces (0 when tp = 1). */
    private final double allReduceNanos;
    /** Per-token part of the step's all-reduces (0 when tp = 1). */
    private final double allReduceNanosPerToken;

    public RooflineCostModel(CostProfile profile) {
        this.profile = profile;
        this.memory = new DeviceMemory(profile);
        var m = profile.model();
        var hw = profile.hardware();
        var eff = profile.efficiency();
        int tp = hw.devices();
        this.linearFlopPerToken = 2.0 * m.layers() * m.layerMatmulParams();
        this.logitFlopPerToken = 2.0 * m.lmHeadParams();
        this.attentionFlopPerPair = 4.0 * m.layers() * m.attentionHeads() * m.headDim();
        this.weightBytesPerStep = ((double) m.layers() * m.layerMatmulParams() + m.lmHeadParams()) * m.weightDtype().bytes();
        this.kvBytesPerToken = profile.kvBytesPerToken();
        this.nanosPerFlop = 1e9 / (hw.peakFlopsPerS() * eff.compute() * tp);
        this.nanosPerByte = 1e9 / (hw.memoryBandwidthBytesPerS() * eff.bandwidth() * tp);
        this.overheadNanos = eff.stepOverheadMicros() * 1e3;
        double allReduces = 2.0 * m.layers();
        this.allReduceNanos = tp == 1 ? 0 : allReduces * eff.allReduceLatencyMicros() * 1e3;
        this.allReduceNanosPerToken = tp == 1 ? 0
                : allReduces * (2.0 * (tp - 1) / tp) * m.hiddenSize() * ACTIVATION_BYTES / hw.interconnectBytesPerS() * 1e9;
    }

    @Override
    public long stepNanos(int prefillTokens, int decodeTokens, int batchSeqs, long prefillAttentionPairs,
                          long decodeContextTokens) {
        checkArguments(prefillTokens, decodeTokens, batchSeqs, prefillAttentionPairs, decodeContextTokens);
        long tokens = (long) prefillTokens + decodeTokens;
        if (tokens == 0) return 0;
        double compute = computeNanos(tokens, decodeTokens, batchSeqs, prefillAttentionPairs, decodeContextTokens);
        double memoryTime = memoryNanos(tokens, prefillAttentionPairs, decodeContextTokens);
        return Math.round(Math.max(compute, memoryTime) + overheadNanos + allReduceNanos(tokens));
    }

    /** The parts of {@link #stepNanos}, for tests and reports (allocates one record). */
    public Breakdown breakdown(int prefillTokens, int decodeTokens, int batchSeqs, long prefillAttentionPairs,
                               long decodeContextTokens) {
        checkArguments(prefillTokens, decodeTokens, batchSeqs, prefillAttentionPairs, decodeContextTokens);
        long tokens = (long) prefillTokens + decodeTokens;
        if (tokens == 0) return new Breakdown(0, 0, 0, 0);
        return new Breakdown(computeNanos(tokens, decodeTokens, batchSeqs, prefillAttentionPairs, decodeContextTokens),
                memoryNanos(tokens, prefillAttentionPairs, decodeContextTokens), overheadNanos, allReduceNanos(tokens));
    }

    @Override
    public long modelLoadNanos() {
        return memory.modelLoadNanos();
    }

    @Override
    public long swapNanos(int blocks, int blockSizeTokens) {
        return memory.swapNanos(blocks, blockSizeTokens);
    }

    @Override
    public int kvCapacityBlocks(int blockSizeTokens) {
        return memory.kvCapacityBlocks(blockSizeTokens);
    }

    @Override
    public String describe() {
        return "roofline " + profile.target();
    }

    @Override
    public int maxModelLen() {
        return profile.serving().maxModelLen();
    }

    public CostProfile profile() {
        return profile;
    }

    private double computeNanos(long tokens, int decodeTokens, int batchSeqs, long pairs, long decodeContext) {
        double logitTokens = Math.min(tokens, (long) decodeTokens + batchSeqs);
        double flop = linearFlopPerToken * tokens + logitFlopPerToken * logitTokens
                + attentionFlopPerPair * ((double) pairs + decodeContext);
        return flop * nanosPerFlop;
    }

    private double memoryNanos(long tokens, long pairs, long decodeContext) {
        double kvRead = kvBytesPerToken * (decodeContext + (double) pairs / ATTENTION_QUERY_TILE);
        double kvWrite = kvBytesPerToken * tokens;
        return (weightBytesPerStep + kvRead + kvWrite) * nanosPerByte;
    }

    private double allReduceNanos(long tokens) {
        return allReduceNanos + allReduceNanosPerToken * tokens;
    }

    static void checkArguments(int prefillTokens, int decodeTokens, int batchSeqs, long pairs, long decodeContext) {
        if ((prefillTokens | decodeTokens | batchSeqs) < 0 || (pairs | decodeContext) < 0) {
            throw new IllegalArgumentException("stepNanos arguments must be >= 0, were prefillTokens=" + prefillTokens
                    + ", decodeTokens=" + decodeTokens + ", batchSeqs=" + batchSeqs + ", prefillAttentionPairs="
                    + pairs + ", decodeContextTokens=" + decodeContext);
        }
    }

    /**
     * One step's time split by the roofline's terms, nanoseconds.
     * The step takes {@code max(computeNanos, memoryNanos) + overheadNanos + allReduceNanos}.
     */
    public record Breakdown(double computeNanos, double memoryNanos, double overheadNanos, double allReduceNanos) {
        public boolean isMemoryBound() {
            return memoryNanos > computeNanos;
        }

        public double totalNanos() {
            return Math.max(computeNanos, memoryNanos) + overheadNanos + allReduceNanos;
        }
    }
}
