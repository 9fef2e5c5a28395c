package servelab.kernels.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF file (versions 2 and 3, little-endian), memory-mapped once; each tensor is a slice of the mapping.
 *
 * <p>Every read is checked against the file's size before it happens, and every count or length the file claims is
 * checked against the bytes that are left before anything of that size is allocated, so a truncated or lying file
 * fails with a {@link GgufFormatException} naming the key or tensor and the offset, never with an
 * {@code OutOfMemoryError} or an {@code IndexOutOfBoundsException}. Tensor data is never copied.
 *
 * <p>Close it to unmap; the tensor segments are invalid afterwards. Safe to read from several threads.
 *
 * @see <a href="https://github.com/ggml-org/ggml/blob/master/docs/gguf.md">GGUF specification</a>
 */
public final class GgufFile implements AutoCloseable {
    /** "GGUF" read as a little-endian uint32. */
    static final int MAGIC = 0x46554747;
    static final int DEFAULT_ALIGNMENT = 32;
    /** GGML_MAX_DIMS. */
    static final int MAX_DIMS = 4;
    static final String ALIGNMENT_KEY = "general.alignment";

    private final Path path;
    private final Arena arena;
    private final int version;
    private final GgufMetadata metadata;
    private final List<GgufTensor> tensors;
    private final Map<String, GgufTensor> byName;
    private final long dataOffset;
    private final int alignment;

    GgufFile(Path path, Arena arena, int version, GgufMetadata metadata, List<GgufTensor> tensors,
                     long dataOffset, int alignment) {
        this.path = path;
        this.arena = arena;
        this.version = version;
        this.metadata = metadata;
        this.tensors = List.copyOf(tensors);
        this.byName = new HashMap<>();
        for (var t : tensors) {
            byName.put(t.name(), t);
        }
        this.dataOffset = dataOffset;
        this.alignment = alignment;
    }

    /** Maps and parses {@code path}; throws {@link GgufFormatException} if the file is not valid GGUF. */
    public static GgufFile open(Path path) throws IOException {
        var arena = Arena.ofShared();
        try (var channel = FileChannel.open(path, StandardOpenOption.READ)) {
            var file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return new GgufParser(path, file).parse(arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() { return path; }
    public int version() { return version; }
    public GgufMetadata metadata() { return metadata; }
    /** Tensors in file order. */
    public List<GgufTensor> tensors() { return tensors; }
    /** File offset where tensor data starts. */
    public long dataOffset() { return dataOffset; }
    public int alignment() { return alignment; }

    public Optional<GgufTensor> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The tensor called {@code name}, or a {@link GgufFormatException} saying it is missing. */
    public GgufTensor tensor(String name) {
        var tensor = byName.get(name);
        if (tensor == null) {
            throw new GgufFormatException(path + ": missing tensor '" + name + "'");
        }
        return tensor;
    }

    @Override
    public void close() {
        arena.close();
    }
}
