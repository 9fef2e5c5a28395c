package servelab.kernels.gguf;

import java.util.Optional;

/**
 * Metadata value types of GGUF v3 ({@code enum gguf_metadata_value_type: uint32_t}), with the Java type a
 * {@link GgufValue} holds for each. Unsigned integers are held in the signed Java type of the same width.
 */
public enum GgufValueType {
    UINT8(0, 1, Byte.class), INT8(1, 1, Byte.class),
    UINT16(2, 2, Short.class), INT16(3, 2, Short.class),
    UINT32(4, 4, Integer.class), INT32(5, 4, Integer.class),
    FLOAT32(6, 4, Float.class),
    BOOL(7, 1, Boolean.class),
    /** {@code struct gguf_string_t { uint64_t len; char string[len]; }}, UTF-8: at least 8 bytes. */
    STRING(8, 8, String.class),
    /** {@code struct { gguf_metadata_value_type type; uint64_t len; value array[len]; }}: at least 12 bytes. */
    ARRAY(9, 12, GgufArray.class),
    UINT64(10, 8, Long.class), INT64(11, 8, Long.class),
    FLOAT64(12, 8, Double.class);

    private final int id;
    private final int minBytes;
    private final Class<?> javaType;

    GgufValueType(int id, int minBytes, Class<?> javaType) {
        this.id = id;
        this.minBytes = minBytes;
        this.javaType = javaType;
    }

    public int id() { return id; }

    /** Fewest bytes a value of this type takes in a file (exact for the fixed-size types). */
    public int minBytes() { return minBytes; }

    /** The class of {@link GgufValue#value()} for this type. */
    public Class<?> javaType() { return javaType; }

    /** True for the eight integer types. */
    public boolean isInteger() {
        return javaType == Byte.class || javaType == Short.class || javaType == Integer.class || javaType == Long.class;
    }

    public static Optional<GgufValueType> byId(long id) {
        for (var type : values()) {
            if (type.id == id) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
