package servelab.runtime.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What each plugin jar provided when it was last deployed, by the jar's content digest ({@link JarContent}), so a
 * run can deploy only the jars that provide the plugins it selects (deploying all 38 bundled jars took about half of a
 * cold run's 0.8 s setup). A cache in a folder: one file per digest, naming a {@code kind name} per line, written once
 * after the jar deployed cleanly and never changed, since the same content gives the same bundle; two processes
 * writing one entry write the same bytes. A jar the index does not know is deployed, which teaches it.
 */
public final class PluginIndex {
    /** An index that knows nothing and remembers nothing: every jar is deployed, as without one. */
    public static final PluginIndex NONE = new PluginIndex(null);

    private final Path dir;

    private PluginIndex(Path dir) {
        this.dir = dir;
    }

    /** An index kept in {@code dir} (created on the first entry). */
    public static PluginIndex in(Path dir) {
        return new PluginIndex(dir.toAbsolutePath().normalize());
    }

    /**
     * The launcher's index, {@code target/plugin-index} in the checkout ({@code -Dservelab.home}, which the launcher
     * sets and its training run after each build fills), or {@link #NONE} in a JVM the launcher did not start.
     */
    public static PluginIndex standard() {
        var home = System.getProperty("servelab.home");
        return home == null ? NONE : in(Path.of(home, "target", "plugin-index"));
    }

    /** The {@code kind name} of each plugin the jar of {@code digest} provided, or empty when the jar is unknown. */
    Optional<Set<String>> provided(String digest) {
        if (dir == null) return Optional.empty();
        try {
            return Optional.of(Set.copyOf(Files.readAllLines(dir.resolve(digest))));
        } catch (IOException e) { // not there yet (or unreadable): deploy the jar
            return Optional.empty();
        }
    }

    /** Records what the jar of {@code digest} provided; a cache that cannot be written is left as it is. */
    void remember(String digest, List<Plugin> plugins) {
        if (dir == null || Files.exists(dir.resolve(digest))) return;
        var lines = plugins.stream().map(p -> key(p.descriptor().kind().id(), p.descriptor().name()))
                .sorted().distinct().collect(Collectors.joining("\n"));
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, ".entry-", ".tmp");
            Files.writeString(tmp, lines.isEmpty() ? "" : lines + "\n");
            Files.move(tmp, dir.resolve(digest), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // read-only or full: the next run deploys this jar again to learn it, as without an index
            try {
                if (tmp != null) Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to do
            }
        }
    }

    /** The index key of a plugin: its kind's id and its name, without a version. */
    static String key(String kindId, String name) {
        int at = name.indexOf('@');
        return kindId + " " + (at < 0 ? name : name.substring(0, at));
    }
}
