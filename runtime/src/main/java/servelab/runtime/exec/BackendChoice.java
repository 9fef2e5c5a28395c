package servelab.runtime.exec;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

import servelab.kernels.Kernels;
import servelab.kernels.MatmulOffload;
import servelab.kernels.Parallel;
import servelab.kernels.matmul.PackedPanels;
import servelab.kernels.matmul.PackedWeights;
import servelab.kernels.model.Llama;
import servelab.kernels.model.ResidentForward;

/**
 * The kernels a model executor's forward passes run on: the backend asked for, or {@code cpu-vector} with a note
 * saying why when TornadoVM cannot be used (run.json records both, so a run never silently measures the wrong
 * hardware).
 *
 * @param kernels  what the forward passes on the CPU call
 * @param inUse    the backend those kernels are
 * @param note     what runs the matmuls or the forward pass, or why the asked-for backend was not used ({@code ""}:
 *                 nothing to say)
 * @param offload  the TornadoVM matmul offload ({@code tornadovm-matmul}) or the packed Q8_0, Q4_0, F16 and BF16 weights
 *                 ({@code cpu-packed}), or {@code null}; holds device or off-heap memory until {@link #close()}
 * @param resident how each model instance opens its device-resident forward ({@code tornadovm}), or {@code null}
 */
record BackendChoice(Kernels kernels, Backend inUse, String note, MatmulOffload offload,
                     ResidentForward.Opener resident) implements AutoCloseable {

    /** {@code requested}, falling back to {@code cpu-vector} when TornadoVM is not there. */
    static BackendChoice of(Backend requested, int threads) {
        var vector = vector(threads);
        return switch (requested) {
            case CPU_REFERENCE -> new BackendChoice(Kernels.reference(), requested, "", null, null);
            case CPU_VECTOR -> new BackendChoice(vector, requested, "", null, null);
            case CPU_PACKED -> {
                if (!PackedPanels.supported()) {
                    yield unavailable(requested, threads, "the packed kernels need 256-bit vectors");
                }
                var packed = new PackedWeights(vector.parallel());
                yield new BackendChoice(Kernels.offload(vector, packed), requested, packed.describe(), packed, null);
            }
            case TORNADOVM -> {
                try {
                    yield new BackendChoice(vector, requested, "", null, deviceForward());
                } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                    yield unavailable(requested, threads, reason(e));
                }
            }
            case TORNADOVM_MATMUL -> {
                try {
                    var offload = tornadoVm();
                    yield new BackendChoice(Kernels.offload(vector, offload), requested, offload.describe(), offload,
                            null);
                } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                    yield unavailable(requested, threads, reason(e));
                }
            }
        };
    }

    /** {@code cpu-vector}, with the note that {@code requested} could not be used and why. */
    static BackendChoice unavailable(Backend requested, int threads, String why) {
        return new BackendChoice(vector(threads), Backend.CPU_VECTOR,
                requested.id() + " requested but unavailable (" + why + "); ran on cpu-vector", null, null);
    }

    /** The same choice with {@code note} (what the device-resident forward runs on). */
    BackendChoice withNote(String note) {
        return new BackendChoice(kernels, inUse, note, offload, resident);
    }

    private static Kernels vector(int threads) {
        return Kernels.vector(Parallel.of(threads > 0 ? threads : Runtime.getRuntime().availableProcessors()));
    }

    /**
     * The TornadoVM matmul offload of {@code kernels/tornadovm}, loaded by name so that the default build and class
     * path need no TornadoVM.
     */
    private static MatmulOffload tornadoVm() throws ReflectiveOperationException {
        var type = Class.forName("servelab.kernels.tornado.TornadoMatmul");
        return (MatmulOffload) type.getMethod("create").invoke(null);
    }

    /** {@code DeviceForward.create} of {@code kernels/tornadovm}, loaded by name as the offload is. */
    private static ResidentForward.Opener deviceForward() throws ReflectiveOperationException {
        var type = Class.forName("servelab.kernels.tornado.DeviceForward");
        Method create = type.getMethod("create", Llama.class, int.class, int.class);
        return (model, blockSize, poolBlocks) -> {
            try {
                return (ResidentForward) create.invoke(null, model, blockSize, poolBlocks);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error err) throw err;
                throw new IllegalStateException(e.getCause());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    static String reason(Throwable e) {
        if (e instanceof ClassNotFoundException) {
            return "servelab-kernels-tornadovm is not on the class path: build it with -Ptornadovm and run with "
                    + "TORNADOVM_HOME set (see kernels/README.md)";
        }
        var cause = e instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
        if (cause instanceof ExceptionInInitializerError init) { // "ExceptionInInitializerError: null" said nothing
            var inner = init.getCause();
            return "TornadoVM did not initialise" + (inner == null ? "" : " (" + inner.getClass().getSimpleName()
                    + (inner.getMessage() == null ? "" : ": " + inner.getMessage()) + ")") + ": is there a device and "
                    + "its runtime (OpenCL, CUDA)? `$TORNADOVM_HOME/bin/tornado --devices` lists what it finds (PoCL "
                    + "runs OpenCL on the CPU)";
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    /** Frees the offload's device memory, if any. */
    @Override
    public void close() {
        if (offload != null) offload.close();
    }
}
