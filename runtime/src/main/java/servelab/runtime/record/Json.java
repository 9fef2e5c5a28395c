package servelab.runtime.record;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

/**
 * JSON files of a run folder (run.json, summary.json): pretty-printed with "\n" line ends on every platform, map
 * keys in iteration order, replaced atomically so a reader never sees half a file.
 */
public final class Json {

    /** A shared mapper for reading; thread-safe once configured. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private static final ObjectWriter WRITER = MAPPER.writer(
            new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n")));

    private Json() {
    }

    /**
     * A map with keys in the order given ({@code key, value, key, value, ...}). {@code new LinkedHashMap<>(Map.of(...))}
     * keeps Map.of's order, which changes from JVM to JVM, so nested keys of run.json moved between identical runs.
     */
    public static java.util.LinkedHashMap<String, Object> ordered(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) throw new IllegalArgumentException("ordered: a key without a value");
        var map = new java.util.LinkedHashMap<String, Object>();
        for (int i = 0; i < keysAndValues.length; i += 2) map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return map;
    }

    /**
     * A JSON parser's error in our words: its own message and where, without what {@code getMessage()} adds
     * ("at [Source: REDACTED (`StreamReadFeature...` disabled)...]", Jackson's, not the user's).
     */
    public static String error(com.fasterxml.jackson.core.JacksonException e) {
        var at = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
        return e.getOriginalMessage() + at;
    }

    /**
     * Writes {@code value} (maps, lists, records, numbers, strings) to {@code file}, whole or not at all (a temporary
     * file moved into place); a failed write names the file and leaves no temporary file behind.
     */
    public static void write(Path file, Object value) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, WRITER.writeValueAsString(value) + "\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) { // a full disk: say which file, and leave no empty .tmp behind
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            if (e instanceof java.nio.file.FileSystemException) throw e; // names its file already
            throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
