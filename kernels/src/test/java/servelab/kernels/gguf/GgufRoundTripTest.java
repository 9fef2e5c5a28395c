package servelab.kernels.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufRoundTripTest {
    @TempDir
    Path dir;

    private static MemorySegment randomBytes(long n, long seed) {
        var bytes = new byte[(int) n];
        new SplittableRandom(seed).nextBytes(bytes);
        return MemorySegment.ofArray(bytes);
    }

    /** One value of every type, arrays of every element type, and tensors of six types, one of them unaligned in size. */
    private static GgufWriter everything(int alignment) {
        var writer = new GgufWriter()
                .put("general.alignment", GgufValue.ofUint32(alignment))
                .put("u8", new GgufValue(GgufValueType.UINT8, (byte) 200))
                .put("i8", new GgufValue(GgufValueType.INT8, (byte) -5))
                .put("u16", new GgufValue(GgufValueType.UINT16, (short) 60000))
                .put("i16", new GgufValue(GgufValueType.INT16, (short) -300))
                .put("u32", GgufValue.ofUint32(-1))
                .put("i32", GgufValue.ofInt32(-123456))
                .put("f32", GgufValue.ofFloat32(1.5e-3f))
                .put("bool", GgufValue.ofBool(true))
                .put("string", GgufValue.ofString("Grüße, 東京 🙂"))
                .put("u64", new GgufValue(GgufValueType.UINT64, Long.MAX_VALUE))
                .put("i64", new GgufValue(GgufValueType.INT64, -1L << 40))
                .put("f64", new GgufValue(GgufValueType.FLOAT64, Math.PI))
                .put("a.u8", GgufValue.ofArray(GgufValueType.UINT8, new byte[] {1, 2, (byte) 255}))
                .put("a.i16", GgufValue.ofArray(GgufValueType.INT16, new short[] {-1, 7}))
                .put("a.i32", GgufValue.ofInt32s(3, -4, 5))
                .put("a.u64", GgufValue.ofArray(GgufValueType.UINT64, new long[] {9L, 1L << 50}))
                .put("a.f32", GgufValue.ofFloat32s(0.25f, -2f))
                .put("a.f64", GgufValue.ofArray(GgufValueType.FLOAT64, new double[] {1e-300}))
                .put("a.bool", GgufValue.ofArray(GgufValueType.BOOL, new boolean[] {true, false}))
                .put("a.string", GgufValue.ofStrings("a", "", "Ġthe", "<|eot_id|>"))
                .put("a.empty", GgufValue.ofInt32s());
        writer.tensor("f32", GgmlType.F32, new long[] {8, 3}, randomBytes(8 * 3 * 4, 1));
        writer.tensor("f16", GgmlType.F16, new long[] {5}, randomBytes(10, 2));
        writer.tensor("bf16", GgmlType.BF16, new long[] {4, 2, 2}, randomBytes(32, 3));
        writer.tensor("q8", GgmlType.Q8_0, new long[] {64, 2}, randomBytes(4 * 34, 4));
        writer.tensor("q4", GgmlType.Q4_0, new long[] {32}, randomBytes(18, 5));
        writer.tensor("q6k", GgmlType.Q6_K, new long[] {256, 1, 1, 2}, randomBytes(2 * 210, 6));
        return writer;
    }

    @Test
    void writeThenReadGivesBackEveryValueAndTensorExactly() throws IOException {
        var path = dir.resolve("all.gguf");
        everything(64).write(path);
        var expected = everything(64);
        try (var file = GgufFile.open(path)) {
            assertEquals(3, file.version());
            assertEquals(64, file.alignment());
            var written = new java.util.LinkedHashMap<String, GgufValue>();
            var reread = new GgufWriter();
            // the same keys, in the same order, with equal values (arrays by content)
            assertEquals(List.of("general.alignment", "u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "u64",
                    "i64", "f64", "a.u8", "a.i16", "a.i32", "a.u64", "a.f32", "a.f64", "a.bool", "a.string", "a.empty"),
                    List.copyOf(file.metadata().values().keySet()));
            assertEquals(GgufValue.ofStrings("a", "", "Ġthe", "<|eot_id|>"), file.metadata().values().get("a.string"));
            assertEquals("Grüße, 東京 🙂", file.metadata().string("string"));
            assertEquals(4294967295L, file.metadata().int64("u32"));
            assertEquals(60000, file.metadata().int32("u16"));
            assertArrayEquals(new int[] {3, -4, 5}, file.metadata().int32s("a.i32"));
            file.metadata().values().forEach(written::put);
            assertEquals(List.of("f32", "f16", "bf16", "q8", "q4", "q6k"), file.tensors().stream().map(GgufTensor::name).toList());
            for (var tensor : file.tensors()) {
                assertEquals(0, file.dataOffset() % 64);
                assertEquals(0, (tensor.data().address() - file.tensors().getFirst().data().address()) % 64);
                reread.tensor(tensor.name(), tensor.type(), tensor.dims(), tensor.data());
            }
            assertArrayEquals(new long[] {256, 1, 1, 2}, file.tensor("q6k").dims());
            assertEquals(-1, file.tensor("q8").data().mismatch(randomBytes(4 * 34, 4)));
            // writing what was read gives the same bytes again
            written.forEach(reread::put);
            var again = dir.resolve("again.gguf");
            reread.write(again);
            assertEquals(-1, Files.mismatch(path, again));
        }
    }

    @Test
    void theDefaultAlignmentIs32() throws IOException {
        var path = dir.resolve("default.gguf");
        new GgufWriter().tensor("t", GgmlType.F32, new long[] {3}, randomBytes(12, 1)).write(path);
        try (var file = GgufFile.open(path)) {
            assertEquals(32, file.alignment());
            assertEquals(0, file.dataOffset() % 32);
            assertEquals(12, file.tensor("t").data().byteSize());
        }
    }
}
