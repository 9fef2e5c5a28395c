package servelab.kernels.matmul;

import java.lang.foreign.MemorySegment;

/**
 * A row-major weight matrix of {@code rows x cols} in one of the {@link WeightFormat}s, over a memory segment
 * (usually a slice of a memory-mapped GGUF file). GGUF names the same tensor {@code [cols, rows]}: its first
 * dimension is the contiguous one.
 *
 * @param format how the weights are encoded
 * @param data   exactly {@code rows * format.rowBytes(cols)} bytes
 * @param rows   output features
 * @param cols   input features, a multiple of the format's block size
 */
public record Matrix(WeightFormat format, MemorySegment data, int rows, int cols) {
    public Matrix {
        if (rows <= 0) {
            throw new IllegalArgumentException("Matrix.rows must be > 0, was " + rows);
        }
        long expected = rows * format.rowBytes(cols);
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("Matrix of " + rows + "x" + cols + " " + format + " needs " + expected
                    + " bytes, data has " + data.byteSize());
        }
    }

    /** Bytes of one row. */
    public long rowBytes() {
        return format.rowBytes(cols);
    }

    /** Byte offset of row {@code r} in {@link #data()}. */
    public long rowOffset(int r) {
        return r * rowBytes();
    }
}
