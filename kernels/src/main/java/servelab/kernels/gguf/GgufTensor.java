package servelab.kernels.gguf;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One tensor of a GGUF file: its info and its data, a slice of the mapped file (nothing copied).
 *
 * @param name       as in the file, e.g. {@code blk.0.attn_q.weight}
 * @param type       its ggml type
 * @param dims       sizes, first dimension contiguous (GGUF's {@code ne[0]}); a copy is kept
 * @param infoOffset where its tensor info starts in the file, for messages
 * @param data       exactly its bytes; valid while the {@link GgufFile} is open
 */
public record GgufTensor(String name, GgmlType type, long[] dims, long infoOffset, MemorySegment data) {
    public GgufTensor {
        dims = dims.clone();
    }

    /** The sizes, first dimension contiguous (a copy). */
    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** Number of elements, the product of the dims. */
    public long elements() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    @Override
    public String toString() {
        return "GgufTensor[" + name + " " + type + " " + Arrays.toString(dims) + "]";
    }
}
