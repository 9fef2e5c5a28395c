package servelab.kernels.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * A GGUF metadata array: its element type and a Java array of the matching primitive type ({@code byte[]} for
 * UINT8/INT8, {@code short[]}, {@code int[]}, {@code long[]}, {@code float[]}, {@code double[]}, {@code boolean[]}) or
 * {@code String[]}. Arrays of arrays, which GGUF allows, are not supported. The Java array is not copied; don't
 * change it. Equality compares contents.
 */
public record GgufArray(GgufValueType elementType, Object values) {
    public GgufArray {
        Class<?> expected = switch (elementType) {
            case UINT8, INT8 -> byte[].class;
            case UINT16, INT16 -> short[].class;
            case UINT32, INT32 -> int[].class;
            case UINT64, INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
            case ARRAY -> throw new IllegalArgumentException("GgufArray: arrays of arrays are not supported");
        };
        if (values.getClass() != expected) {
            throw new IllegalArgumentException("GgufArray of " + elementType + " needs a " + expected.getSimpleName()
                    + ", got a " + values.getClass().getSimpleName());
        }
    }

    /** Number of elements. */
    public int length() {
        return java.lang.reflect.Array.getLength(values);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GgufArray(var type, var v) && type == elementType && Objects.deepEquals(v, values);
    }

    @Override
    public int hashCode() {
        return 31 * elementType.hashCode() + Arrays.deepHashCode(new Object[] {values});
    }

    @Override
    public String toString() {
        return "GgufArray[" + elementType + " x " + length() + "]";
    }
}
