package servelab.kernels.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that break GGUF in one way each: the error names the key or tensor and the offset, and nothing big is allocated. */
class GgufMalformedTest {
    @TempDir
    Path dir;

    /** Writes GGUF fields byte by byte, so a test can put any lie anywhere. */
    private static final class Raw {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Raw u32(long v) { return put(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array()); }
        Raw u64(long v) { return put(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array()); }
        Raw string(String s) {
            var bytes = s.getBytes(StandardCharsets.UTF_8);
            return u64(bytes.length).put(bytes);
        }
        Raw put(byte[] bytes) { out.writeBytes(bytes); return this; }
        Raw padTo(int alignment) { return put(new byte[(alignment - out.size() % alignment) % alignment]); }
        int size() { return out.size(); }
        byte[] bytes() { return out.toByteArray(); }

        /** Header of a v3 file with these counts. */
        static Raw header(long tensors, long kvs) {
            return new Raw().u32(GgufFile.MAGIC).u32(3).u64(tensors).u64(kvs);
        }
    }

    private GgufFormatException failure(byte[] bytes) throws IOException {
        var path = dir.resolve("bad.gguf");
        Files.write(path, bytes);
        return assertThrows(GgufFormatException.class, () -> GgufFile.open(path).close());
    }

    private String message(byte[] bytes) throws IOException {
        return failure(bytes).getMessage().replace(dir.resolve("bad.gguf") + ": ", "");
    }

    @Test
    void badMagic() throws IOException {
        var bytes = Raw.header(0, 0).bytes();
        bytes[3] = 'X';
        assertEquals("bad magic 0x58554747 at offset 0: expected 0x46554747 (\"GGUF\")", message(bytes));
    }

    @Test
    void unsupportedVersion() throws IOException {
        var bytes = new Raw().u32(GgufFile.MAGIC).u32(4).u64(0).u64(0).bytes();
        assertEquals("unsupported GGUF version 4 at offset 4: this reader reads versions 2 and 3, little-endian", message(bytes));
    }

    @Test
    void truncatedInsideAKeyNamesTheEntryAndOffset() throws IOException {
        var full = Raw.header(0, 1).string("general.architecture").u32(8).string("llama").bytes();
        // cut in the middle of the key's text: 24 header bytes, 8 length bytes, 5 of 20 text bytes
        assertEquals("the key of metadata entry #0 at offset 24 claims 20 bytes, but 5 are left in the file",
                message(Arrays.copyOf(full, 24 + 8 + 5)));
        // cut in the middle of the value's length
        int valueAt = 24 + 8 + 20 + 4;
        assertEquals("truncated: the length of the value of metadata key 'general.architecture' at offset 24 at offset "
                + valueAt + " needs 8 bytes, the file ends at " + (valueAt + 3), message(Arrays.copyOf(full, valueAt + 3)));
    }

    @Test
    void everyTruncationOfAValidFileFailsWithAFormatError() throws IOException {
        var path = dir.resolve("valid.gguf");
        new GgufWriter().put("a", GgufValue.ofStrings("x", "yz")).put("b", GgufValue.ofFloat32(2f))
                .tensor("w", GgmlType.Q8_0, new long[] {32, 2}, MemorySegment.ofArray(new byte[68])).write(path);
        var full = Files.readAllBytes(path);
        for (int length = 0; length < full.length - 68; length++) {
            // anywhere in the header, metadata, infos or the first tensor's data: a format error, never another exception
            var error = failure(Arrays.copyOf(full, length));
            assertTrue(error.getMessage().contains("offset"), error.getMessage());
        }
    }

    @Test
    void tensorDataPastTheEndOfTheFileNamesTheTensor() throws IOException {
        // the info claims 1024 x 1024 F32 (4 MiB); the file holds 64 bytes of data
        var raw = Raw.header(1, 0).string("blk.0.attn_q.weight").u32(2).u64(1024).u64(1024).u32(0).u64(0);
        int infoEnd = raw.size();
        var bytes = raw.padTo(32).put(new byte[64]).bytes();
        int dataStart = (infoEnd + 31) / 32 * 32;
        assertEquals("tensor 'blk.0.attn_q.weight' (info at offset 24): 4194304 bytes of F32 data at offset " + dataStart
                + " run past the end of the file (size " + bytes.length + ")", message(bytes));
    }

    @Test
    void tensorOffsetPastTheEndNamesTheTensor() throws IOException {
        var bytes = Raw.header(1, 0).string("t").u32(1).u64(8).u32(0).u64(1L << 40).padTo(32).put(new byte[32]).bytes();
        assertTrue(message(bytes).startsWith("tensor 't' (info at offset 24): 32 bytes of F32 data at offset "), message(bytes));
    }

    @Test
    void unknownTensorTypeNamesTheTensorAndTheId() throws IOException {
        // after the 24-byte header: name (8 + 1), dimension count (4), one dimension (8), then the type at offset 45
        var bytes = Raw.header(1, 0).string("t").u32(1).u64(32).u32(99).u64(0).padTo(32).put(new byte[128]).bytes();
        assertEquals("tensor 't' (info at offset 24): unknown ggml type 99 at offset 45", message(bytes));
    }

    @Test
    void unknownValueTypeNamesTheKey() throws IOException {
        var bytes = Raw.header(0, 1).string("k").u32(13).u32(0).bytes();
        assertEquals("metadata key 'k' at offset 24: unknown value type 13 at offset 33", message(bytes));
    }

    @Test
    void hugeClaimedArrayIsRefusedBeforeAllocating() throws IOException {
        // 2^31 - 9 INT32 elements (8 GiB) claimed in a file of a few dozen bytes
        var bytes = Raw.header(0, 1).string("tokenizer.ggml.token_type").u32(9).u32(5).u64(Integer.MAX_VALUE - 9).u32(1).bytes();
        assertEquals("metadata key 'tokenizer.ggml.token_type' at offset 24: array of 2147483638 INT32 at offset 65 cannot fit "
                + "in the 4 bytes left", message(bytes));
    }

    @Test
    void hugeClaimedStringIsRefusedBeforeAllocating() throws IOException {
        var bytes = Raw.header(0, 1).u64(1L << 40).put(new byte[16]).bytes();
        assertEquals("the key of metadata entry #0 at offset 24 claims 1099511627776 bytes, but 16 are left in the file",
                message(bytes));
    }

    @Test
    void hugeClaimedTensorCountIsRefused() throws IOException {
        var bytes = Raw.header(1L << 40, 0).bytes();
        assertEquals("tensor_count at offset 8 is 1099511627776, but the 8 bytes left hold at most 0", message(bytes));
    }

    @Test
    void firstDimensionMustHoldWholeBlocks() throws IOException {
        var bytes = Raw.header(1, 0).string("q").u32(1).u64(48).u32(8).u64(0).padTo(32).put(new byte[64]).bytes();
        assertEquals("tensor 'q' (info at offset 24): first dimension 48 is not a multiple of the Q8_0 block size 32",
                message(bytes));
    }

    @Test
    void metadataGettersNameTheKeyAndWhatWasExpected() throws IOException {
        var path = dir.resolve("meta.gguf");
        new GgufWriter().put("llama.block_count", GgufValue.ofString("two")).write(path);
        try (var file = GgufFile.open(path)) {
            var wrongType = assertThrows(GgufFormatException.class, () -> file.metadata().int32("llama.block_count"));
            assertEquals(path + ": metadata key 'llama.block_count' at offset 24: expected an integer, found STRING",
                    wrongType.getMessage());
            var missing = assertThrows(GgufFormatException.class, () -> file.metadata().int32("llama.embedding_length"));
            assertEquals(path + ": missing metadata key 'llama.embedding_length'", missing.getMessage());
            var noTensor = assertThrows(GgufFormatException.class, () -> file.tensor("output.weight"));
            assertEquals(path + ": missing tensor 'output.weight'", noTensor.getMessage());
        }
    }
}
