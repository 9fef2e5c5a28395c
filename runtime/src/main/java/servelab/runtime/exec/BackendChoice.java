package servelab.runtime.exec;

import java.lang.reflect.InvocationTargetException;

import servelab.kernels.Kernels;
import servelab.kernels.MatmulOffload;
import servelab.kernels.Parallel;

/**
 * The kernels a model executor's forward passes run on: the backend asked for, or {@code cpu-vector} with a note
 * saying why when TornadoVM cannot be used (run.json records both, so a run never silently measures the wrong
 * hardware).
 *
 * @param kernels what the forward passes call
 * @param inUse   the backend those kernels are
 * @param note    what runs the matmuls, or why the asked-for backend was not used ({@code ""}: nothing to say)
 * @param offload the TornadoVM matmul offload, or {@code null}; holds device memory until {@link #close()}
 */
record BackendChoice(Kernels kernels, Backend inUse, String note, MatmulOffload offload) implements AutoCloseable {

    /** {@code requested}, falling back to {@code cpu-vector} when TornadoVM is not there. */
    static BackendChoice of(Backend requested, int threads) {
        var vector = Kernels.vector(Parallel.of(threads > 0 ? threads : Runtime.getRuntime().availableProcessors()));
        return switch (requested) {
            case CPU_REFERENCE -> new BackendChoice(Kernels.reference(), requested, "", null);
            case CPU_VECTOR -> new BackendChoice(vector, requested, "", null);
            case TORNADOVM -> {
                try {
                    var offload = tornadoVm();
                    yield new BackendChoice(Kernels.offload(vector, offload), requested, offload.describe(), offload);
                } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                    yield new BackendChoice(vector, Backend.CPU_VECTOR,
                            "tornadovm requested but unavailable (" + reason(e) + "); ran on cpu-vector", null);
                }
            }
        };
    }

    /**
     * The TornadoVM matmul offload of {@code kernels/tornadovm}, loaded by name so that the default build and class
     * path need no TornadoVM.
     */
    private static MatmulOffload tornadoVm() throws ReflectiveOperationException {
        var type = Class.forName("servelab.kernels.tornado.TornadoMatmul");
        return (MatmulOffload) type.getMethod("create").invoke(null);
    }

    private static String reason(Throwable e) {
        if (e instanceof ClassNotFoundException) {
            return "servelab-kernels-tornadovm is not on the class path: build it with -Ptornadovm and run with "
                    + "TORNADOVM_HOME set (see kernels/README.md)";
        }
        var cause = e instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    /** Frees the offload's device memory, if any. */
    @Override
    public void close() {
        if (offload != null) offload.close();
    }
}
