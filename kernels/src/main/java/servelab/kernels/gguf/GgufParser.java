package servelab.kernels.gguf;

import static servelab.kernels.gguf.GgufFile.ALIGNMENT_KEY;
import static servelab.kernels.gguf.GgufFile.DEFAULT_ALIGNMENT;
import static servelab.kernels.gguf.GgufFile.MAGIC;
import static servelab.kernels.gguf.GgufFile.MAX_DIMS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;

/** Reads the header, metadata and tensor infos with a cursor that checks every access against the file size. */
final class GgufParser {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final MemorySegment file;
    private final long size;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private long pos;

    GgufParser(Path path, MemorySegment file) {
        this.path = path;
        this.file = file;
        this.size = file.byteSize();
    }

    GgufFile parse(Arena arena) {
        // struct gguf_header_t { uint32_t magic; uint32_t version; uint64_t tensor_count; uint64_t metadata_kv_count; ... }
        int magic = u32("the magic number");
        if (magic != MAGIC) {
            throw error("bad magic 0x%08x at offset 0: expected 0x%08x (\"GGUF\")".formatted(magic, MAGIC));
        }
        int version = u32("the version");
        if (version != 2 && version != 3) {
            throw error("unsupported GGUF version " + Integer.toUnsignedString(version)
                    + " at offset 4: this reader reads versions 2 and 3, little-endian");
        }
        long tensorCount = count("tensor_count", 24);
        long kvCount = count("metadata_kv_count", 13);
        var metadata = readMetadata(kvCount);
        int alignment = alignment(metadata);
        var infos = readTensorInfos(tensorCount);
        // padding to `alignment`, then tensor_data; each tensor's offset is relative to its start
        long dataOffset = align(pos, alignment);
        var tensors = new ArrayList<GgufTensor>(infos.size());
        for (var info : infos) {
            tensors.add(slice(info, dataOffset, alignment));
        }
        checkNoOverlap(infos, tensors);
        return new GgufFile(path, arena, version, metadata, tensors, dataOffset, alignment);
    }

    private GgufMetadata readMetadata(long kvCount) {
        var values = new LinkedHashMap<String, GgufValue>();
        var offsets = new HashMap<String, Long>();
        for (long i = 0; i < kvCount; i++) {
            // struct gguf_metadata_kv_t { gguf_string_t key; gguf_metadata_value_type value_type; value; }
            long at = pos;
            String key = string("key of metadata entry #" + i);
            String what = "metadata key '" + key + "' at offset " + at;
            if (values.containsKey(key)) {
                throw error(what + " appears twice");
            }
            var type = valueType(u32("the value type of " + what), what);
            values.put(key, value(type, what));
            offsets.put(key, at);
        }
        return new GgufMetadata(path.toString(), values, offsets);
    }

    private int alignment(GgufMetadata metadata) {
        if (!metadata.contains(ALIGNMENT_KEY)) {
            return DEFAULT_ALIGNMENT;
        }
        long alignment = metadata.int64(ALIGNMENT_KEY);
        if (alignment <= 0 || alignment > (1 << 20) || Long.bitCount(alignment) != 1) {
            throw error("metadata key '" + ALIGNMENT_KEY + "' is " + alignment + ": expected a power of two up to 2^20");
        }
        return (int) alignment;
    }

    private record Info(String name, GgmlType type, long[] dims, long offset, long at) {}

    private List<Info> readTensorInfos(long tensorCount) {
        var infos = new ArrayList<Info>();
        var names = new HashMap<String, Long>();
        for (long i = 0; i < tensorCount; i++) {
            // struct gguf_tensor_info_t { gguf_string_t name; uint32_t n_dimensions; uint64_t dimensions[n_dimensions];
            //                             ggml_type type; uint64_t offset; }
            long at = pos;
            String name = string("name of tensor info #" + i);
            String what = "tensor '" + name + "' (info at offset " + at + ")";
            if (names.put(name, at) != null) {
                throw error(what + ": the name appears twice");
            }
            int nDims = u32("the dimension count of " + what);
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw error(what + ": " + Integer.toUnsignedString(nDims) + " dimensions, expected 1 to " + MAX_DIMS);
            }
            var dims = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                dims[d] = u64("dimension " + d + " of " + what);
                if (dims[d] <= 0) {
                    throw error(what + ": dimension " + d + " is " + Long.toUnsignedString(dims[d]) + ", expected 1 to 2^63 - 1");
                }
            }
            long typeAt = pos;
            int typeId = u32("the type of " + what);
            var type = GgmlType.byId(Integer.toUnsignedLong(typeId)).orElseThrow(() -> error(what + ": unknown ggml type "
                    + Integer.toUnsignedString(typeId) + " at offset " + typeAt));
            long offset = u64("the data offset of " + what);
            infos.add(new Info(name, type, dims, offset, at));
        }
        return infos;
    }

    /**
     * Two tensors whose data share bytes: a file written wrong, or a tensor relabelled with a larger type (an F32
     * label on Q8_0 data ran into the next tensors, and the model answered token 0 everywhere).
     */
    private void checkNoOverlap(List<Info> infos, List<GgufTensor> tensors) {
        var order = new ArrayList<Integer>();
        for (int i = 0; i < infos.size(); i++) order.add(i);
        order.sort(java.util.Comparator.comparingLong(i -> infos.get(i).offset()));
        for (int k = 1; k < order.size(); k++) {
            var before = infos.get(order.get(k - 1));
            var after = infos.get(order.get(k));
            long end = before.offset() + tensors.get(order.get(k - 1)).data().byteSize();
            if (end > after.offset()) {
                throw error("tensor '" + before.name() + "' (" + before.type() + ", " + tensors.get(order.get(k - 1))
                        .data().byteSize() + " bytes from data offset " + before.offset() + ") overlaps tensor '"
                        + after.name() + "' at data offset " + after.offset());
            }
        }
    }

    private GgufTensor slice(Info info, long dataOffset, int alignment) {
        String what = "tensor '" + info.name() + "' (info at offset " + info.at() + ")";
        if (info.dims()[0] % info.type().blockSize() != 0) {
            throw error(what + ": first dimension " + info.dims()[0] + " is not a multiple of the " + info.type()
                    + " block size " + info.type().blockSize());
        }
        long bytes;
        try {
            long elements = 1;
            for (long d : info.dims()) {
                elements = Math.multiplyExact(elements, d);
            }
            bytes = Math.multiplyExact(elements / info.type().blockSize(), (long) info.type().blockBytes());
        } catch (ArithmeticException e) {
            throw error(what + ": dimensions " + java.util.Arrays.toString(info.dims()) + " overflow a 64-bit size");
        }
        if (info.offset() < 0 || info.offset() % alignment != 0) {
            throw error(what + ": data offset " + Long.toUnsignedString(info.offset()) + " is not a multiple of the alignment "
                    + alignment);
        }
        long available = size - dataOffset;
        if (info.offset() > available || bytes > available - info.offset()) {
            throw error(what + ": " + bytes + " bytes of " + info.type() + " data at offset " + (dataOffset + info.offset())
                    + " run past the end of the file (size " + size + ")");
        }
        return new GgufTensor(info.name(), info.type(), info.dims(), info.at(), file.asSlice(dataOffset + info.offset(), bytes));
    }

    private GgufValueType valueType(int id, String what) {
        return GgufValueType.byId(Integer.toUnsignedLong(id)).orElseThrow(() -> error(what + ": unknown value type "
                + Integer.toUnsignedString(id) + " at offset " + (pos - 4)));
    }

    private GgufValue value(GgufValueType type, String what) {
        Object value = switch (type) {
            case UINT8, INT8 -> u8("the value of " + what);
            case UINT16, INT16 -> { need(2, "the value of " + what); short v = file.get(U16, pos); pos += 2; yield v; }
            case UINT32, INT32 -> u32("the value of " + what);
            case UINT64, INT64 -> u64("the value of " + what);
            case FLOAT32 -> { need(4, "the value of " + what); float v = file.get(F32, pos); pos += 4; yield v; }
            case FLOAT64 -> { need(8, "the value of " + what); double v = file.get(F64, pos); pos += 8; yield v; }
            case BOOL -> bool(what);
            case STRING -> string("value of " + what);
            case ARRAY -> array(what);
        };
        return new GgufValue(type, value);
    }

    private boolean bool(String what) {
        long at = pos;
        byte b = u8("the value of " + what);
        if (b != 0 && b != 1) {
            throw error(what + ": bool at offset " + at + " is " + b + ", expected 0 or 1");
        }
        return b == 1;
    }

    private GgufArray array(String what) {
        var elementType = valueType(u32("the element type of " + what), what);
        if (elementType == GgufValueType.ARRAY) {
            throw error(what + ": arrays of arrays are not supported");
        }
        long at = pos;
        long n = u64("the length of " + what);
        if (n < 0 || n > (size - pos) / elementType.minBytes() || n > Integer.MAX_VALUE - 8) {
            throw error(what + ": array of " + Long.toUnsignedString(n) + " " + elementType + " at offset " + at
                    + " cannot fit in the " + (size - pos) + " bytes left");
        }
        int count = (int) n;
        Object values = switch (elementType) {
            case UINT8, INT8 -> bulk(new byte[count], ValueLayout.JAVA_BYTE, 1);
            case UINT16, INT16 -> bulk(new short[count], U16, 2);
            case UINT32, INT32 -> bulk(new int[count], U32, 4);
            case UINT64, INT64 -> bulk(new long[count], U64, 8);
            case FLOAT32 -> bulk(new float[count], F32, 4);
            case FLOAT64 -> bulk(new double[count], F64, 8);
            case BOOL -> {
                var flags = new boolean[count];
                for (int i = 0; i < count; i++) {
                    flags[i] = bool(what + " element " + i);
                }
                yield flags;
            }
            case STRING -> {
                var strings = new String[count];
                for (int i = 0; i < count; i++) {
                    strings[i] = string("element " + i + " of " + what);
                }
                yield strings;
            }
            case ARRAY -> throw new AssertionError("refused above");
        };
        return new GgufArray(elementType, values);
    }

    private <A> A bulk(A array, ValueLayout layout, int width) {
        int n = java.lang.reflect.Array.getLength(array);
        // the length was checked against the bytes left before the array was allocated
        MemorySegment.copy(file, layout, pos, array, 0, n);
        pos += (long) n * width;
        return array;
    }

    /** {@code struct gguf_string_t { uint64_t len; char string[len]; }}, UTF-8, no terminator. */
    private String string(String what) {
        long at = pos;
        long len = u64("the length of the " + what);
        if (len < 0 || len > size - pos || len > Integer.MAX_VALUE - 8) {
            throw error("the " + what + " at offset " + at + " claims " + Long.toUnsignedString(len) + " bytes, but "
                    + (size - pos) + " are left in the file");
        }
        var bytes = file.asSlice(pos, len).asByteBuffer();
        pos += len;
        try {
            return utf8.reset().decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw error("the " + what + " at offset " + at + " is not valid UTF-8");
        }
    }

    /** A uint64 count of items that each take at least {@code minItemBytes}: refused if they cannot fit. */
    private long count(String what, int minItemBytes) {
        long at = pos;
        long n = u64(what);
        if (n < 0 || n > (size - pos) / minItemBytes) {
            throw error(what + " at offset " + at + " is " + Long.toUnsignedString(n) + ", but the " + (size - pos)
                    + " bytes left hold at most " + (size - pos) / minItemBytes);
        }
        return n;
    }

    private byte u8(String what) {
        need(1, what);
        return file.get(ValueLayout.JAVA_BYTE, pos++);
    }

    private int u32(String what) {
        need(4, what);
        int v = file.get(U32, pos);
        pos += 4;
        return v;
    }

    private long u64(String what) {
        need(8, what);
        long v = file.get(U64, pos);
        pos += 8;
        return v;
    }

    private void need(long bytes, String what) {
        if (bytes > size - pos) {
            throw error("truncated: " + what + " at offset " + pos + " needs " + bytes + " bytes, the file ends at " + size);
        }
    }

    private GgufFormatException error(String message) {
        return new GgufFormatException(path + ": " + message);
    }

    private static long align(long offset, int alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }
}
