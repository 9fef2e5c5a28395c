package servelab.kernels.tornado;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * The element-wise parts of a forward step as {@link Parallel} loops, one device thread per element, over a
 * plan's capacity of {@code capacity} tokens; elements of tokens past the count in {@code counts[countSlot]} (a
 * layer's own, 0 for a layer a layer-skip draft does not run) are left alone (see {@link GroupKernels} for why sizes
 * come in device arrays).
 */
public final class StepKernels {
    private StepKernels() {}

    /** Token embeddings, F32 table: row {@code tokens[t]} into row {@code t} of {@code x}. */
    public static void embedF32(FloatArray table, IntArray tokens, FloatArray x, IntArray counts, int capacity, int dim) {
        for (@Parallel int i = 0; i < capacity * dim; i++) {
            int t = i / dim;
            if (t < counts.get(0)) {
                x.set(i, table.get(tokens.get(t) * dim + i % dim));
            }
        }
    }

    /** Token embeddings, F16 table (raw half bits). */
    public static void embedF16(ShortArray table, IntArray tokens, FloatArray x, IntArray counts, int capacity, int dim) {
        for (@Parallel int i = 0; i < capacity * dim; i++) {
            int t = i / dim;
            if (t < counts.get(0)) {
                x.set(i, TornadoKernels.halfToFloat(table.get(tokens.get(t) * dim + i % dim) & 0xffff));
            }
        }
    }

    /** Token embeddings, Q8_0 table: {@code d * qs[j]} of the element's block. */
    public static void embedQ8_0(ByteArray table, IntArray tokens, FloatArray x, IntArray counts, int capacity, int dim) {
        for (@Parallel int i = 0; i < capacity * dim; i++) {
            int t = i / dim;
            if (t < counts.get(0)) {
                int c = i % dim;
                int block = (tokens.get(t) * (dim / 32) + c / 32) * 34;
                float d = TornadoKernels.halfToFloat((table.get(block) & 0xff) | (table.get(block + 1) & 0xff) << 8);
                x.set(i, d * table.get(block + 2 + c % 32));
            }
        }
    }

    /** Token embeddings, Q4_0 table: {@code d * (nibble - 8)} of the element's block. */
    public static void embedQ4_0(ByteArray table, IntArray tokens, FloatArray x, IntArray counts, int capacity, int dim) {
        for (@Parallel int i = 0; i < capacity * dim; i++) {
            int t = i / dim;
            if (t < counts.get(0)) {
                int c = i % dim;
                int block = (tokens.get(t) * (dim / 32) + c / 32) * 18;
                float d = TornadoKernels.halfToFloat((table.get(block) & 0xff) | (table.get(block + 1) & 0xff) << 8);
                int j = c % 32;
                int q = table.get(block + 2 + j % 16);   // signed, each nibble masked (see GroupKernels#matmulQ4_0)
                x.set(i, d * ((j < 16 ? q & 0xf : (q >> 4) & 0xf) - 8));
            }
        }
    }

    /**
     * RoPE over {@code heads} heads per token: pair {@code (2i, 2i+1)} of each head of token {@code t} turned by the
     * angle {@code positions[t] * freq[i]}, whose cosine and sine are {@code cos/sin[position * headDim/2 + i]}. The
     * host fills those tables once per model, in double precision exactly as {@link servelab.kernels.ops.Rope#reference}
     * computes them (Llama 3 scaling is already in the frequencies), so no device trigonometry is involved.
     */
    public static void rope(FloatArray v, FloatArray cos, FloatArray sin, IntArray positions, IntArray counts,
                            int countSlot, int capacity, int heads, int headDim) {
        int half = headDim / 2;
        for (@Parallel int i = 0; i < capacity * heads * half; i++) {
            int t = i / (heads * half);
            if (t < counts.get(countSlot)) {
                int pair = i % half;
                int at = (i / half) * headDim + 2 * pair;
                int angle = positions.get(t) * half + pair;
                float c = cos.get(angle);
                float s = sin.get(angle);
                float x0 = v.get(at);
                float x1 = v.get(at + 1);
                v.set(at, x0 * c - x1 * s);
                v.set(at + 1, x0 * s + x1 * c);
            }
        }
    }

    /**
     * Writes each token's key and value rows into the device KV pool at its position: block
     * {@code blockTables[tableStarts[tableRows[t]] + position / blockSize]}, row {@code position % blockSize}, layer
     * {@code layer} starting at {@code layerOffset}.
     */
    public static void storeKv(FloatArray k, FloatArray v, FloatArray keys, FloatArray values, IntArray positions,
                               IntArray tableRows, IntArray blockTables, IntArray counts, int countSlot, int capacity,
                               int layerOffset,
                               int kvHeads, int headDim, int blockSize, IntArray tableStarts) {
        int kvDim = kvHeads * headDim;
        for (@Parallel int i = 0; i < capacity * kvDim; i++) {
            int t = i / kvDim;
            if (t < counts.get(countSlot)) {
                int e = i % kvDim;
                int p = positions.get(t);
                int block = blockTables.get(tableStarts.get(tableRows.get(t)) + p / blockSize);
                int row = layerOffset + ((block * kvHeads + e / headDim) * blockSize + p % blockSize) * headDim + e % headDim;
                keys.set(row, k.get(i));
                values.set(row, v.get(i));
            }
        }
    }

    /** SwiGLU in place, as {@link servelab.kernels.ops.SwiGlu#reference} but with a float {@code exp}. */
    public static void swiGlu(FloatArray gate, FloatArray up, IntArray counts, int countSlot, int capacity, int ffn) {
        for (@Parallel int i = 0; i < capacity * ffn; i++) {
            if (i / ffn < counts.get(countSlot)) {
                float g = gate.get(i);
                gate.set(i, g / (1f + TornadoMath.exp(-g)) * up.get(i));
            }
        }
    }

    /** Residual add: {@code x[i] += delta[i]}. */
    public static void add(FloatArray x, FloatArray delta, IntArray counts, int countSlot, int capacity, int dim) {
        for (@Parallel int i = 0; i < capacity * dim; i++) {
            if (i / dim < counts.get(countSlot)) {
                x.set(i, x.get(i) + delta.get(i));
            }
        }
    }

    /**
     * Swap-out: block {@code swaps[2 + j]} of every layer, for {@code j < swaps[0]}, into the staging arrays at
     * {@code (j * layers + l) * blockFloats} (keys and values alike). A layer of the pool is {@code layerStride} floats.
     */
    public static void gatherBlocks(FloatArray keys, FloatArray values, FloatArray outKeys, FloatArray outValues,
                                    IntArray swaps, int capacity, int layers, int layerStride, int blockFloats) {
        for (@Parallel int i = 0; i < capacity * layers * blockFloats; i++) {
            int j = i / (layers * blockFloats);
            if (j < swaps.get(0)) {
                int at = (i / blockFloats) % layers * layerStride + swaps.get(2 + j) * blockFloats + i % blockFloats;
                outKeys.set(i, keys.get(at));
                outValues.set(i, values.get(at));
            }
        }
    }

    /**
     * Swap-in: the staging arrays' block {@code j} into block {@code swaps[2 + capacity + j]} of every layer, for
     * {@code j < swaps[1]}; the layout of {@link #gatherBlocks}.
     */
    public static void scatterBlocks(FloatArray keys, FloatArray values, FloatArray inKeys, FloatArray inValues,
                                     IntArray swaps, int capacity, int layers, int layerStride, int blockFloats) {
        for (@Parallel int i = 0; i < capacity * layers * blockFloats; i++) {
            int j = i / (layers * blockFloats);
            if (j < swaps.get(1)) {
                int at = (i / blockFloats) % layers * layerStride + swaps.get(2 + capacity + j) * blockFloats
                        + i % blockFloats;
                keys.set(at, inKeys.get(i));
                values.set(at, inValues.get(i));
            }
        }
    }
}
