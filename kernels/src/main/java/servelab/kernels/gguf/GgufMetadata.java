package servelab.kernels.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The key-value metadata of a GGUF file, in file order, with typed getters whose errors name the key, where it was
 * found and what was expected. Immutable.
 */
public final class GgufMetadata {
    private final String source;
    private final Map<String, GgufValue> values;
    private final Map<String, Long> offsets;

    GgufMetadata(String source, LinkedHashMap<String, GgufValue> values, Map<String, Long> offsets) {
        this.source = source;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.offsets = Map.copyOf(offsets);
    }

    /** Every key and value, in file order. */
    public Map<String, GgufValue> values() {
        return values;
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** A STRING value. */
    public String string(String key) {
        return (String) require(key, GgufValueType.STRING).value();
    }

    /** An integer value of any width that fits in an {@code int} (UINT32 above 2^31 - 1 does not). */
    public int int32(String key) {
        long value = int64(key);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw error(key, "expected an integer that fits in 32 bits, found " + value);
        }
        return (int) value;
    }

    /** An integer value of any width; unsigned types are widened as unsigned (UINT64 above 2^63 - 1 is refused). */
    public long int64(String key) {
        var entry = present(key);
        long value = switch (entry.type()) {
            case UINT8 -> Byte.toUnsignedLong((Byte) entry.value());
            case INT8 -> (Byte) entry.value();
            case UINT16 -> Short.toUnsignedLong((Short) entry.value());
            case INT16 -> (Short) entry.value();
            case UINT32 -> Integer.toUnsignedLong((Integer) entry.value());
            case INT32 -> (Integer) entry.value();
            case UINT64, INT64 -> (Long) entry.value();
            default -> throw error(key, "expected an integer, found " + entry.type());
        };
        if (entry.type() == GgufValueType.UINT64 && value < 0) {
            throw error(key, "UINT64 value " + Long.toUnsignedString(value) + " is too large");
        }
        return value;
    }

    /** A FLOAT32 or FLOAT64 value. */
    public float float32(String key) {
        var entry = present(key);
        return switch (entry.type()) {
            case FLOAT32 -> (Float) entry.value();
            case FLOAT64 -> ((Double) entry.value()).floatValue();
            default -> throw error(key, "expected a float, found " + entry.type());
        };
    }

    /** An array of STRING. */
    public String[] strings(String key) {
        return (String[]) array(key, GgufValueType.STRING).values();
    }

    /** An array of INT32 or UINT32 (as stored). */
    public int[] int32s(String key) {
        var array = array(key, null);
        if (array.elementType() != GgufValueType.INT32 && array.elementType() != GgufValueType.UINT32) {
            throw error(key, "expected an array of INT32, found an array of " + array.elementType());
        }
        return (int[]) array.values();
    }

    /** An array of FLOAT32. */
    public float[] float32s(String key) {
        return (float[]) array(key, GgufValueType.FLOAT32).values();
    }

    private GgufArray array(String key, GgufValueType elementType) {
        var array = (GgufArray) require(key, GgufValueType.ARRAY).value();
        if (elementType != null && array.elementType() != elementType) {
            throw error(key, "expected an array of " + elementType + ", found an array of " + array.elementType());
        }
        return array;
    }

    private GgufValue require(String key, GgufValueType type) {
        var entry = present(key);
        if (entry.type() != type) {
            throw error(key, "expected " + type + ", found " + entry.type());
        }
        return entry;
    }

    private GgufValue present(String key) {
        var entry = values.get(key);
        if (entry == null) {
            throw new GgufFormatException(source + ": missing metadata key '" + key + "'");
        }
        return entry;
    }

    private GgufFormatException error(String key, String problem) {
        Long offset = offsets.get(key);
        return new GgufFormatException(source + ": metadata key '" + key + "'"
                + (offset == null ? "" : " at offset " + offset) + ": " + problem);
    }
}
