package servelab.kernels.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MatMulCpuTimeTest {
    /** The weight scale sets the range: at the generated model's 0.038 some F16 weights are subnormal (below 2^-14). */
    @Test
    void weightsFillTheRangeAskedFor() {
        var small = MatMulCpuTime.weights(new SplittableRandom(1), 100_000, 0.038);
        float max = 0f;
        int subnormalInF16 = 0;
        for (float v : small) {
            max = Math.max(max, Math.abs(v));
            if (v != 0f && Math.abs(v) < 0x1p-14f) subnormalInF16++;
        }
        assertTrue(max < 0.038f && max > 0.037f, "largest weight " + max);
        assertTrue(subnormalInF16 > 50 && subnormalInF16 < 500, subnormalInF16 + " of 100,000 below 2^-14");
        var unit = MatMulCpuTime.weights(new SplittableRandom(1), 100_000, 1);
        float unitMax = 0f;
        for (float v : unit) unitMax = Math.max(unitMax, Math.abs(v));
        assertTrue(unitMax > 0.99f && unitMax < 1f, "largest weight " + unitMax);
    }
}
