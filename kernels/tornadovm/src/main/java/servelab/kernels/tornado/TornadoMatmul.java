package servelab.kernels.tornado;

import java.util.IdentityHashMap;
import java.util.Map;

import uk.ac.manchester.tornado.api.TornadoExecutionPlan;

import servelab.kernels.MatmulOffload;
import servelab.kernels.matmul.Matrix;

/**
 * The model's F32 and Q8_0 weight matmuls on TornadoVM's default device, for {@code Kernels.offload}: each matrix
 * goes to the device once, on its first use, and stays there ({@link TornadoMatVec}); each call sends the input rows
 * and brings the outputs back, one matvec per row. F16, BF16 and Q4_0 matrices stay on the CPU. Not thread-safe; the
 * forward pass calls matmuls from one thread.
 */
public final class TornadoMatmul implements MatmulOffload {
    private final Map<Matrix, TornadoMatVec> resident = new IdentityHashMap<>();
    private final String device;

    private TornadoMatmul(String device) {
        this.device = device;
    }

    /**
     * The offload on the default device; throws (with TornadoVM's reason) when the TornadoVM runtime or a device is
     * missing. The model executor calls this reflectively, so the default build needs no TornadoVM.
     */
    public static TornadoMatmul create() {
        var d = TornadoExecutionPlan.getDevice(0, 0);
        return new TornadoMatmul(d.getPlatformName() + " / " + d.getDescription());
    }

    @Override
    public boolean handles(Matrix w) {
        return switch (w.format()) {
            case F32, Q8_0 -> true;
            case F16, BF16, Q4_0 -> false;
        };
    }

    @Override
    public void matmul(Matrix w, float[] x, int batch, float[] out) {
        var onDevice = resident.computeIfAbsent(w, TornadoMatVec::new);
        for (int t = 0; t < batch; t++) {
            onDevice.multiply(x, t * w.cols(), out, t * w.rows());
        }
    }

    @Override
    public String describe() {
        return "TornadoVM " + device + " (F32 and Q8_0 weight matmuls)";
    }

    @Override
    public void close() {
        resident.values().forEach(TornadoMatVec::close);
        resident.clear();
    }
}
