package servelab.kernels.matmul;

/**
 * The weight layouts the matmul kernels read, in GGUF's block layouts (little-endian).
 *
 * <p>A row of {@code n} weights is {@code n / blockSize()} blocks of {@code blockBytes()} bytes each, so {@code n}
 * must be a multiple of the block size. Quantized formats store one half-precision scale per block:
 * <pre>
 *   Q8_0: struct { f16 d; int8  qs[32]; }   weight j = d * qs[j]                            (34 bytes / 32 weights)
 *   Q4_0: struct { f16 d; uint8 qs[16]; }   weight j = d * ((qs[j] &amp; 0xF) - 8),
 *                                         weight j+16 = d * ((qs[j] &gt;&gt; 4) - 8),  j &lt; 16   (18 bytes / 32 weights)
 * </pre>
 */
public enum WeightFormat {
    /** IEEE 754 binary32. */
    F32(1, 4),
    /** IEEE 754 binary16. */
    F16(1, 2),
    /** bfloat16: the upper 16 bits of a binary32. */
    BF16(1, 2),
    /** 32 signed bytes sharing one f16 scale. */
    Q8_0(32, 34),
    /** 32 four-bit values, offset by 8, sharing one f16 scale. */
    Q4_0(32, 18);

    private final int blockSize;
    private final int blockBytes;

    WeightFormat(int blockSize, int blockBytes) {
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** Weights per block. */
    public int blockSize() { return blockSize; }

    /** Bytes per block. */
    public int blockBytes() { return blockBytes; }

    /** Bytes of a row of {@code n} weights; {@code n} must be a multiple of {@link #blockSize()}. */
    public long rowBytes(int n) {
        if (n <= 0 || n % blockSize != 0) {
            throw new IllegalArgumentException(name() + " row length must be a positive multiple of " + blockSize + ", was " + n);
        }
        return (long) (n / blockSize) * blockBytes;
    }
}
