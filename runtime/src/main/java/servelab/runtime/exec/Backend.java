package servelab.runtime.exec;

/** Kernel sets the forward pass can run on ({@code model.backend}). */
public enum Backend {
    /** Vector API kernels, rows split over a thread pool. */
    CPU_VECTOR("cpu-vector"),
    /** Scalar reference kernels on one thread (slow; for checking). */
    CPU_REFERENCE("cpu-reference"),
    /**
     * F32 and Q8_0 weight matmuls on TornadoVM's default device (OpenCL, PTX or SPIR-V), the rest on the Vector API
     * kernels. Needs the {@code kernels/tornadovm} module and a TornadoVM SDK at run time.
     */
    TORNADOVM("tornadovm");

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
        throw new IllegalArgumentException("unknown backend '" + id + "'; accepted: cpu-vector, cpu-reference, tornadovm");
    }
}
