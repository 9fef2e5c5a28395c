package servelab.runtime.exec.cost;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Everything a cost model knows about one model on one machine, as read from a profile YAML file (see the
 * {@code servelab/profiles/README.md} resource for the format). Values are validated when built; a field's error
 * names it by its YAML path so that the reader can point at the line to fix.
 *
 * @param source      the file or bundled name this profile was read from (used in error messages)
 * @param derivation  free text: how the numbers were derived and where they come from
 * @param model       transformer shapes and weight precision
 * @param hardware    peak numbers of one device and how many devices serve the model (tensor parallelism)
 * @param efficiency  achievable fractions of the peaks and fixed costs the roofline cannot see
 * @param serving     KV cache precision and how much device memory the server may use
 * @param measured    an optional table of measured step times that replaces the roofline for step time
 */
public record CostProfile(String source, String derivation, Model model, Hardware hardware, Efficiency efficiency,
                          Serving serving, Optional<Measured> measured) {

    public CostProfile {
        Objects.requireNonNull(source, "CostProfile.source");
        Objects.requireNonNull(model, "CostProfile.model");
        Objects.requireNonNull(hardware, "CostProfile.hardware");
        Objects.requireNonNull(efficiency, "CostProfile.efficiency");
        Objects.requireNonNull(serving, "CostProfile.serving");
        Objects.requireNonNull(measured, "CostProfile.measured");
        if (derivation == null || derivation.isBlank()) {
            throw new CostProfileException(source, "derivation", "is missing or blank; say how the numbers were derived and cite their sources");
        }
        int tp = hardware.devices();
        // tensor parallelism splits attention heads across devices; KV heads are split, or replicated when fewer than devices
        if (model.attentionHeads() % tp != 0) {
            throw new CostProfileException(source, "hardware.devices", "must divide model.attention_heads ("
                    + model.attentionHeads() + ") for tensor parallelism, was " + tp);
        }
        if (model.kvHeads() % tp != 0 && tp % model.kvHeads() != 0) {
            throw new CostProfileException(source, "hardware.devices", "must divide model.kv_heads ("
                    + model.kvHeads() + ") or be a multiple of it, was " + tp);
        }
        if (tp > 1 && hardware.interconnectBytesPerS() <= 0) {
            throw new CostProfileException(source, "hardware.interconnect_bytes_per_s",
                    "must be > 0 when hardware.devices > 1 (tensor-parallel all-reduce), was " + hardware.interconnectBytesPerS());
        }
        double usable = tp * (hardware.deviceMemoryBytes() * serving.memoryUtilization() - serving.activationReserveBytesPerDevice());
        if (model.weightBytes() >= usable) {
            throw new CostProfileException(source, "hardware.devices", String.format(
                    "is too small: weights take %.2f GB but %d device(s) x %.2f GB x memory_utilization %.2f - activation"
                            + " reserve leave %.2f GB; raise hardware.devices (tensor parallelism), use a smaller"
                            + " model.weight_dtype or a larger device",
                    model.weightBytes() / 1e9, tp, hardware.deviceMemoryBytes() / 1e9, serving.memoryUtilization(),
                    usable / 1e9));
        }
    }

    /**
     * KV heads held across all devices: the model's, or one per device when tensor parallelism is wider than the
     * KV heads (each device then keeps a replica of its group's head, as vLLM does).
     */
    public int kvHeadsStored() {
        return Math.max(model.kvHeads(), hardware.devices());
    }

    /** Bytes of K and V one token occupies over all layers and devices: 2 x layers x KV heads x head_dim x KV dtype. */
    public double kvBytesPerToken() {
        return 2.0 * model.layers() * kvHeadsStored() * model.headDim() * serving.kvDtype().bytes();
    }

    /** Device memory left for KV blocks, bytes: devices x (memory x utilisation - activation reserve) - weights. */
    public double kvBudgetBytes() {
        return hardware.devices() * (hardware.deviceMemoryBytes() * serving.memoryUtilization()
                - serving.activationReserveBytesPerDevice()) - model.weightBytes();
    }

    /** "llama-3-8b on h100-80gb (bf16, tp=1)". */
    public String target() {
        return model.name() + " on " + hardware.name() + " (" + model.weightDtype().yamlName() + ", tp="
                + hardware.devices() + ")";
    }

    /** Element types of weights and KV cache, with their storage size (block-quantised GGUF types include scales). */
    public enum Dtype {
        F32("f32", 4), BF16("bf16", 2), F16("f16", 2), FP8("fp8", 1), INT8("int8", 1),
        /** GGUF Q8_0: blocks of 32 int8 weights plus one f16 scale = 34 bytes per 32 weights. */
        Q8_0("q8_0", 34 / 32.0),
        /** GGUF Q4_0: blocks of 32 4-bit weights plus one f16 scale = 18 bytes per 32 weights. */
        Q4_0("q4_0", 18 / 32.0);

        private final String yamlName;
        private final double bytes;

        Dtype(String yamlName, double bytes) {
            this.yamlName = yamlName;
            this.bytes = bytes;
        }

        public String yamlName() {
            return yamlName;
        }

        /** Storage bytes per element. */
        public double bytes() {
            return bytes;
        }

        /** The dtype named {@code text} in field {@code field}; the error lists the accepted names. */
        public static Dtype parse(String field, String text) {
            for (var d : values()) {
                if (d.yamlName.equals(text)) return d;
            }
            throw CostProfileException.field(field, "must be one of " + Arrays.stream(values()).map(Dtype::yamlName)
                    .collect(Collectors.joining(", ")) + ", was '" + text + "'");
        }
    }

    /**
     * A decoder-only transformer with gated (SwiGLU) feed-forward layers and grouped-query attention, the Llama shape.
     * Values come from the model's {@code config.json}.
     *
     * @param parameters total parameter count including embeddings; must agree with the count derived from the
     *                   shapes within 1% (a typo guard), so a profile may state it from the model card
     */
    public record Model(String name, int layers, int hiddenSize, int attentionHeads, int kvHeads, int headDim,
                        int intermediateSize, int vocabSize, boolean tiedEmbeddings, long parameters, Dtype weightDtype) {

        public Model {
            requireName("model.name", name);
            Objects.requireNonNull(weightDtype, "model.weight_dtype");
            positive("model.layers", layers);
            positive("model.hidden_size", hiddenSize);
            positive("model.attention_heads", attentionHeads);
            positive("model.kv_heads", kvHeads);
            positive("model.head_dim", headDim);
            positive("model.intermediate_size", intermediateSize);
            positive("model.vocab_size", vocabSize);
            if (attentionHeads % kvHeads != 0) {
                throw CostProfileException.field("model.kv_heads", "must divide model.attention_heads (" + attentionHeads
                        + ") into equal query groups, was " + kvHeads);
            }
            long derived = derivedParameters(layers, hiddenSize, attentionHeads, kvHeads, headDim, intermediateSize,
                    vocabSize, tiedEmbeddings);
            if (Math.abs(parameters - derived) > 0.01 * derived) {
                throw CostProfileException.field("model.parameters", "must be within 1% of " + derived
                        + " (the count derived from the shapes), was " + parameters);
            }
        }

        /** A model whose parameter count is the one derived from its shapes. */
        public static Model derived(String name, int layers, int hiddenSize, int attentionHeads, int kvHeads, int headDim,
                                    int intermediateSize, int vocabSize, boolean tiedEmbeddings, Dtype weightDtype) {
            return new Model(name, layers, hiddenSize, attentionHeads, kvHeads, headDim, intermediateSize, vocabSize,
                    tiedEmbeddings, derivedParameters(layers, hiddenSize, attentionHeads, kvHeads, headDim,
                    intermediateSize, vocabSize, tiedEmbeddings), weightDtype);
        }

        /**
         * Weights of the matmuls in one layer: Q (hidden x heads*head_dim), K and V (hidden x kv_heads*head_dim each),
         * O (heads*head_dim x hidden), and gate, up, down (3 x hidden x intermediate).
         */
        public long layerMatmulParams() {
            return layerMatmulParams(hiddenSize, attentionHeads, kvHeads, headDim, intermediateSize);
        }

        /** Weights of the output projection to logits (hidden x vocab), shared with the embedding when tied. */
        public long lmHeadParams() {
            return (long) hiddenSize * vocabSize;
        }

        /** Bytes the weights occupy in device memory (all devices together). */
        public double weightBytes() {
            return parameters * weightDtype.bytes();
        }

        private static long layerMatmulParams(int hidden, int heads, int kvHeads, int headDim, int intermediate) {
            long q = (long) hidden * heads * headDim;
            long kv = 2L * hidden * kvHeads * headDim;
            long o = (long) heads * headDim * hidden;
            long ffn = 3L * hidden * intermediate;
            return q + kv + o + ffn;
        }

        /** Layers (matmuls + two RMSNorm vectors), embedding, untied LM head, final norm. */
        static long derivedParameters(int layers, int hidden, int heads, int kvHeads, int headDim, int intermediate,
                                      int vocab, boolean tied) {
            long perLayer = layerMatmulParams(hidden, heads, kvHeads, headDim, intermediate) + 2L * hidden;
            long embeddings = (long) vocab * hidden * (tied ? 1 : 2);
            return layers * perLayer + embeddings + hidden;
        }
    }

    /**
     * Peak numbers of one device, from its datasheet, and how many devices serve one model replica.
     *
     * @param peakFlopsPerS            dense (no sparsity) FLOP/s of one device at the matmul precision (bf16 tensor
     *                                 cores on GPUs, f32 FMA on CPUs)
     * @param memoryBandwidthBytesPerS peak memory bandwidth of one device, bytes/s
     * @param deviceMemoryBytes        memory of one device that the runtime can allocate, bytes
     * @param hostLinkBytesPerS        one-direction bandwidth between one device and host memory (PCIe, NVLink-C2C),
     *                                 bytes/s; used for swap
     * @param devices                  tensor-parallel degree: devices that split every layer of the model
     * @param interconnectBytesPerS    one-direction device-to-device bandwidth for the all-reduce, bytes/s; 0 when
     *                                 {@code devices == 1}
     */
    public record Hardware(String name, double peakFlopsPerS, double memoryBandwidthBytesPerS, long deviceMemoryBytes,
                           double hostLinkBytesPerS, int devices, double interconnectBytesPerS) {
        public Hardware {
            requireName("hardware.name", name);
            positive("hardware.peak_flops_per_s", peakFlopsPerS);
            positive("hardware.memory_bandwidth_bytes_per_s", memoryBandwidthBytesPerS);
            positive("hardware.device_memory_bytes", deviceMemoryBytes);
            positive("hardware.host_link_bytes_per_s", hostLinkBytesPerS);
            positive("hardware.devices", devices);
            if (!(interconnectBytesPerS >= 0) || Double.isInfinite(interconnectBytesPerS)) {
                throw CostProfileException.field("hardware.interconnect_bytes_per_s", "must be >= 0 and finite, was " + interconnectBytesPerS);
            }
        }
    }

    /**
     * What the roofline cannot derive from datasheets: achievable fractions of the peaks, and fixed costs.
     *
     * @param compute                 fraction of peak FLOP/s large matmuls reach, in (0, 1]
     * @param bandwidth               fraction of peak memory bandwidth weight and KV reads reach, in (0, 1]
     * @param hostLink                fraction of the host link bandwidth a swap reaches, in (0, 1]
     * @param stepOverheadMicros      fixed cost of every step: kernel launches, scheduling, sampling, microseconds
     * @param allReduceLatencyMicros  fixed cost of one tensor-parallel all-reduce, microseconds (unused when tp = 1)
     */
    public record Efficiency(double compute, double bandwidth, double hostLink, double stepOverheadMicros,
                             double allReduceLatencyMicros) {
        public Efficiency {
            fraction("efficiency.compute", compute);
            fraction("efficiency.bandwidth", bandwidth);
            fraction("efficiency.host_link", hostLink);
            nonNegative("efficiency.step_overhead_us", stepOverheadMicros);
            nonNegative("efficiency.allreduce_latency_us", allReduceLatencyMicros);
        }
    }

    /**
     * How the server uses device memory.
     *
     * @param kvDtype                          element type of cached keys and values
     * @param memoryUtilization                fraction of each device's memory the server may use, in (0, 1]
     *                                         (vLLM's {@code gpu_memory_utilization})
     * @param activationReserveBytesPerDevice  memory kept per device for activations, workspaces and CUDA graphs
     */
    /**
     * @param maxModelLen vLLM's {@code --max-model-len}: the longest sequence (prompt plus output tokens) the server
     *                    takes, by default the model's {@code max_position_embeddings}; 0 when the profile gives none
     *                    (no limit)
     */
    public record Serving(Dtype kvDtype, double memoryUtilization, long activationReserveBytesPerDevice, int maxModelLen) {
        public Serving {
            Objects.requireNonNull(kvDtype, "serving.kv_dtype");
            fraction("serving.memory_utilization", memoryUtilization);
            nonNegative("serving.activation_reserve_bytes_per_device", activationReserveBytesPerDevice);
            nonNegative("serving.max_model_len", maxModelLen);
        }

        public Serving(Dtype kvDtype, double memoryUtilization, long activationReserveBytesPerDevice) {
            this(kvDtype, memoryUtilization, activationReserveBytesPerDevice, 0);
        }
    }

    /**
     * Measured step times that replace the roofline for {@code stepNanos}, fitted as {@link TableFit} describes.
     *
     * @param csv               where the rows were read from
     * @param rows              the table, at least {@link TableFit#COEFFICIENTS} rows, with prefill and decode rows
     * @param maxRelativeError  the worst relative error of the fit over the rows the profile accepts, in (0, 10]
     * @param overhead          added to the table's time of every step ({@code measured.overhead_per_step_us},
     *                          {@code overhead_per_seq_us}, {@code overhead_fraction}); {@link StepOverhead#NONE} if absent
     * @param tokenFactors      whether the fit multiplies its planes by their measured residual per token count
     *                          ({@code measured.token_factors}, true unless stated; see {@link TableFit})
     */
    public record Measured(String csv, List<MeasuredStep> rows, double maxRelativeError, StepOverhead overhead,
                           boolean tokenFactors) {
        public Measured {
            Objects.requireNonNull(csv, "measured.csv");
            Objects.requireNonNull(overhead, "measured overhead");
            rows = List.copyOf(rows);
            if (!(maxRelativeError > 0 && maxRelativeError <= 10)) {
                throw CostProfileException.field("measured.max_relative_error", "must be in (0, 10], was " + maxRelativeError);
            }
            if (rows.size() < TableFit.COEFFICIENTS) {
                throw CostProfileException.field("measured.csv", "must have at least " + TableFit.COEFFICIENTS
                        + " rows to fit " + TableFit.COEFFICIENTS + " coefficients, " + csv + " has " + rows.size());
            }
            // a column the table never exercises would get a zero cost and make that work free in simulation
            if (rows.stream().noneMatch(r -> r.prefillTokens() > 0)) {
                throw CostProfileException.field("measured.csv", "must have rows with prefill_tokens > 0; " + csv + " has none, so prefill cannot be priced");
            }
            if (rows.stream().noneMatch(r -> r.decodeTokens() > 0)) {
                throw CostProfileException.field("measured.csv", "must have rows with decode_tokens > 0; " + csv + " has none, so decode cannot be priced");
            }
        }

        /** With token-count factors, the default. */
        public Measured(String csv, List<MeasuredStep> rows, double maxRelativeError, StepOverhead overhead) {
            this(csv, rows, maxRelativeError, overhead, true);
        }
    }

    private static void requireName(String field, String name) {
        if (name == null || name.isBlank()) throw CostProfileException.field(field, "must be a non-blank name, was '" + name + "'");
    }

    private static void positive(String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) throw CostProfileException.field(field, "must be > 0 and finite, was " + value);
    }

    private static void positive(String field, long value) {
        if (value <= 0) throw CostProfileException.field(field, "must be > 0, was " + value);
    }

    private static void nonNegative(String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) throw CostProfileException.field(field, "must be >= 0 and finite, was " + value);
    }

    private static void fraction(String field, double value) {
        if (!(value > 0 && value <= 1)) throw CostProfileException.field(field, "must be in (0, 1], was " + value);
    }
}
