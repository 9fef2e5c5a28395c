package servelab.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.util.List;

import org.junit.jupiter.api.Test;

import servelab.kernels.matmul.Matrix;
import servelab.kernels.matmul.WeightFormat;

/** What run.json's executor line says of a model's weights. */
class LoadedModelTest {
    private static Matrix matrix(WeightFormat format, int rows, int cols) {
        return new Matrix(format, Arena.ofAuto().allocate(rows * format.rowBytes(cols)), rows, cols);
    }

    @Test
    void aFileThatMixesFormatsSaysEachWithItsShare() {
        // one format: its name, as before
        assertEquals("Q8_0", LoadedModel.formats(List.of(matrix(WeightFormat.Q8_0, 4, 64), matrix(WeightFormat.Q8_0, 2, 32))));
        // a Q8_0 model whose embedding and one layer are F32 was described as Q8_0 (layer 0's query matrix)
        assertEquals("F32 75%, Q8_0 25% of the weights", LoadedModel.formats(List.of(matrix(WeightFormat.Q8_0, 4, 64),
                matrix(WeightFormat.F32, 12, 64))));
    }
}
