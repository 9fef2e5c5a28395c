package servelab.kernels.gguf;

/**
 * One metadata value and its GGUF type. {@code value} is of the class {@link GgufValueType#javaType()} names: a
 * {@code Byte}, {@code Short}, {@code Integer} or {@code Long} for the integers (unsigned ones held in the signed type
 * of the same width), {@code Float}, {@code Double}, {@code Boolean}, {@code String}, or a {@link GgufArray}.
 */
public record GgufValue(GgufValueType type, Object value) {
    public GgufValue {
        if (!type.javaType().isInstance(value)) {
            throw new IllegalArgumentException("GgufValue of type " + type + " needs a " + type.javaType().getSimpleName()
                    + ", got " + value.getClass().getSimpleName());
        }
    }

    public static GgufValue ofString(String value) { return new GgufValue(GgufValueType.STRING, value); }
    public static GgufValue ofUint32(int value) { return new GgufValue(GgufValueType.UINT32, value); }
    public static GgufValue ofInt32(int value) { return new GgufValue(GgufValueType.INT32, value); }
    public static GgufValue ofFloat32(float value) { return new GgufValue(GgufValueType.FLOAT32, value); }
    public static GgufValue ofBool(boolean value) { return new GgufValue(GgufValueType.BOOL, value); }
    public static GgufValue ofStrings(String... values) { return ofArray(GgufValueType.STRING, values); }
    public static GgufValue ofInt32s(int... values) { return ofArray(GgufValueType.INT32, values); }
    public static GgufValue ofFloat32s(float... values) { return ofArray(GgufValueType.FLOAT32, values); }

    /** An array of {@code elementType}; see {@link GgufArray} for the Java array each type needs. */
    public static GgufValue ofArray(GgufValueType elementType, Object values) {
        return new GgufValue(GgufValueType.ARRAY, new GgufArray(elementType, values));
    }
}
