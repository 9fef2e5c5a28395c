package servelab.kernels.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Writes a GGUF v3 file: header, metadata in insertion order, tensor infos, then each tensor's data at the next
 * multiple of the alignment ({@code general.alignment} if put, else 32). Not thread-safe.
 *
 * {@snippet :
 * var writer = new GgufWriter()
 *         .put("general.architecture", GgufValue.ofString("llama"))
 *         .tensor("output_norm.weight", GgmlType.F32, new long[] {64}, MemorySegment.ofArray(new byte[256]));
 * writer.write(Path.of("tiny.gguf"));
 * }
 */
public final class GgufWriter {
    private record Pending(String name, GgmlType type, long[] dims, MemorySegment data) {}

    private final LinkedHashMap<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<Pending> tensors = new ArrayList<>();

    /** Adds or replaces a metadata entry (a replaced key keeps its first position). */
    public GgufWriter put(String key, GgufValue value) {
        metadata.put(key, value);
        return this;
    }

    /**
     * Adds a tensor; {@code data} must hold exactly the bytes its type and dims need, and is read when
     * {@link #write} runs.
     */
    public GgufWriter tensor(String name, GgmlType type, long[] dims, MemorySegment data) {
        if (dims.length < 1 || dims.length > GgufFile.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "': 1 to 4 dimensions, got " + dims.length);
        }
        long elements = 1;
        for (long d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("tensor '" + name + "': dimensions must be > 0, got " + Arrays.toString(dims));
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (dims[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': first dimension " + dims[0] + " is not a multiple of "
                    + type.blockSize());
        }
        long bytes = elements / type.blockSize() * type.blockBytes();
        if (data.byteSize() != bytes) {
            throw new IllegalArgumentException("tensor '" + name + "' of " + type + " " + Arrays.toString(dims) + " needs "
                    + bytes + " bytes, data has " + data.byteSize());
        }
        if (tensors.stream().anyMatch(t -> t.name().equals(name))) {
            throw new IllegalArgumentException("tensor '" + name + "' added twice");
        }
        tensors.add(new Pending(name, type, dims.clone(), data));
        return this;
    }

    /** Writes the file, replacing {@code path} if it exists. */
    public void write(Path path) throws IOException {
        int alignment = alignment();
        var header = new Bytes();
        header.u32(GgufFile.MAGIC).u32(3).u64(tensors.size()).u64(metadata.size());
        for (var entry : metadata.entrySet()) {
            header.string(entry.getKey()).u32(entry.getValue().type().id());
            header.value(entry.getValue().type(), entry.getValue().value());
        }
        long offset = 0;
        var offsets = new long[tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            var t = tensors.get(i);
            header.string(t.name()).u32(t.dims().length);
            for (long d : t.dims()) {
                header.u64(d);
            }
            offsets[i] = offset;
            header.u32(t.type().id()).u64(offset);
            offset = align(offset + t.data().byteSize(), alignment);
        }
        try (var channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] headerBytes = header.toByteArray();
            writeFully(channel, ByteBuffer.wrap(headerBytes));
            long dataStart = align(headerBytes.length, alignment);
            for (int i = 0; i < tensors.size(); i++) {
                channel.position(dataStart + offsets[i]);
                writeFully(channel, tensors.get(i).data().asByteBuffer());
            }
            // pad the last tensor, so every tensor ends on the alignment as llama.cpp writes them
            long end = dataStart + offset;
            if (channel.size() < end) {
                channel.position(end - 1);
                writeFully(channel, ByteBuffer.wrap(new byte[1]));
            }
        }
    }

    private int alignment() {
        var value = metadata.get(GgufFile.ALIGNMENT_KEY);
        if (value == null) {
            return GgufFile.DEFAULT_ALIGNMENT;
        }
        if (value.type() != GgufValueType.UINT32 || Integer.bitCount((Integer) value.value()) != 1) {
            throw new IllegalArgumentException(GgufFile.ALIGNMENT_KEY + " must be a UINT32 power of two, was " + value);
        }
        return (Integer) value.value();
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static long align(long offset, int alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    /** A little-endian byte sink for the header. */
    private static final class Bytes extends ByteArrayOutputStream {
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        Bytes u8(int v) { write(v); return this; }
        Bytes u16(short v) { scratch.clear(); scratch.putShort(v); write(scratch.array(), 0, 2); return this; }
        Bytes u32(int v) { scratch.clear(); scratch.putInt(v); write(scratch.array(), 0, 4); return this; }
        Bytes u64(long v) { scratch.clear(); scratch.putLong(v); write(scratch.array(), 0, 8); return this; }

        Bytes string(String s) {
            var utf8 = s.getBytes(StandardCharsets.UTF_8);
            u64(utf8.length);
            write(utf8, 0, utf8.length);
            return this;
        }

        void value(GgufValueType type, Object value) {
            switch (type) {
                case UINT8, INT8 -> u8((Byte) value);
                case UINT16, INT16 -> u16((Short) value);
                case UINT32, INT32 -> u32((Integer) value);
                case UINT64, INT64 -> u64((Long) value);
                case FLOAT32 -> u32(Float.floatToRawIntBits((Float) value));
                case FLOAT64 -> u64(Double.doubleToRawLongBits((Double) value));
                case BOOL -> u8((Boolean) value ? 1 : 0);
                case STRING -> string((String) value);
                case ARRAY -> {
                    var array = (GgufArray) value;
                    u32(array.elementType().id()).u64(array.length());
                    for (int i = 0; i < array.length(); i++) {
                        value(array.elementType(), java.lang.reflect.Array.get(array.values(), i));
                    }
                }
            }
        }
    }
}
