package servelab.runtime.exec;

/** Kernel sets the forward pass can run on ({@code model.backend}). */
public enum Backend {
    /** Vector API kernels, rows split over a thread pool. */
    CPU_VECTOR("cpu-vector"),
    /**
     * The Vector API kernels with every Q8_0, Q4_0, F16 and BF16 weight matrix repacked once into sixteen-row panels
     * ({@code PackedPanels}): batched decode, prefill and verification meet the weights in outer-product register
     * tiles, about twice {@code cpu-vector}'s speed from batch 8 on one AVX2 core (kernels/README.md). Each row's sum is
     * a different rounding order from {@code cpu-vector}'s, the same at every batch size. Costs a copy of those
     * weights (off the heap); other formats run as on {@code cpu-vector}. Needs 256-bit vectors.
     */
    CPU_PACKED("cpu-packed"),
    /** Scalar reference kernels on one thread (slow; for checking). */
    CPU_REFERENCE("cpu-reference"),
    /**
     * The whole forward step on TornadoVM's device (OpenCL, PTX or SPIR-V), weights and KV pool resident there: a step
     * uploads its metadata and brings back greedy or drawn tokens and verified drafts (the logits only for what the
     * device does not draw: a top-k over 64, for one). F32, F16, Q8_0 and Q4_0 weights. Needs the {@code kernels/tornadovm} module and a TornadoVM SDK at run time.
     */
    TORNADOVM("tornadovm"),
    /**
     * Only the F32 and Q8_0 weight matmuls on TornadoVM's device, input and output copied every call; the rest on the
     * Vector API kernels (the first TornadoVM backend, kept to compare against).
     */
    TORNADOVM_MATMUL("tornadovm-matmul");

    private final String id;

    Backend(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The backend named {@code id}. */
    public static Backend fromId(String id) {
        for (var b : values()) if (b.id.equals(id)) return b;
        throw new IllegalArgumentException("unknown backend '" + id + "'; accepted: cpu-vector, cpu-packed, cpu-reference, "
                + "tornadovm, tornadovm-matmul");
    }
}
