package servelab.runtime.engine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import servelab.kernels.Kernels;
import servelab.kernels.Parallel;
import servelab.kernels.matmul.PackedPanels;
import servelab.kernels.matmul.PackedWeights;
import servelab.runtime.exec.Backend;

/**
 * Every test of {@link RealModelEngineTest} on {@code cpu-packed}: the repacked Q8_0 kernels (the test model is Q8_0) sum each row in another
 * order than {@code cpu-vector}, but the same order at every batch size, so batching, chunked prefill, prefix hits,
 * preemption (recompute and swap), the host tier and crashes still give each request the tokens it gets alone.
 */
class PackedModelEngineTest extends RealModelEngineTest {
    private static PackedWeights alone;

    @BeforeAll
    static void needs256BitVectors() {
        assumeTrue(PackedPanels.supported(), "the packed kernels need 256-bit vectors");
        alone = new PackedWeights(Parallel.serial());
    }

    @AfterAll
    static void freePacked() {
        if (alone != null) alone.close();
    }

    @Override
    Backend backend() {
        return Backend.CPU_PACKED;
    }

    @Override
    Kernels aloneKernels() {
        return Kernels.offload(Kernels.vector(Parallel.serial()), alone);
    }
}
