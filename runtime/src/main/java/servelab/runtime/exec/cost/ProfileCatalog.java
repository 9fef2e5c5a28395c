package servelab.runtime.exec.cost;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where profiles come from: the bundled ones (listed in an index, because a jar's resources cannot be listed) and
 * files on disk. Both {@link CostModels} (a profile by name) and {@link ProfileReader} (a profile's {@code base:})
 * resolve names here, so neither needs the other to find a file.
 */
final class ProfileCatalog {
    static final String PROFILES = "servelab/profiles/";
    /** Bundled names, one per line, because a jar's resources cannot be listed. */
    static final String INDEX = PROFILES + "index.txt";

    private ProfileCatalog() {
    }

    /** Bundled profile names, in the index's order. */
    static List<String> available() {
        var in = ProfileCatalog.class.getClassLoader().getResourceAsStream(INDEX);
        if (in == null) throw new IllegalStateException("the runtime jar lacks " + INDEX + "; the build is broken");
        try (var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            var names = new ArrayList<String>();
            for (String line; (line = reader.readLine()) != null; ) {
                var name = line.strip();
                if (!name.isEmpty() && !name.startsWith("#")) names.add(name);
            }
            return List.copyOf(names);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + INDEX, e);
        }
    }

    /** A bundled name wins over a file of the same name; a relative path resolves against {@code from}'s folder. */
    static ProfileSource sourceOf(String nameOrPath, Optional<ProfileSource> from) {
        var names = available();
        if (names.contains(nameOrPath)) return ProfileSource.bundled(PROFILES + nameOrPath + ".yaml");
        Path path = null;
        try {
            var candidate = from.map(f -> f.resolve(nameOrPath)).orElse(ProfileSource.file(Path.of(nameOrPath)));
            if (candidate.file() == null) return candidate; // relative to a bundled profile: another resource
            path = candidate.file();
            if (Files.isRegularFile(path)) return candidate;
        } catch (InvalidPathException e) {
            // not a path either; reported below
        }
        throw new CostProfileException(from.map(ProfileSource::display).orElse(null), from.isPresent() ? "base" : "profile",
                "'" + nameOrPath + "' is neither a bundled profile (available: " + String.join(", ", names)
                        + ") nor a readable file" + (path == null || !nameOrPath.matches(".*\\.ya?ml") ? ""
                        : " (" + path.toAbsolutePath() + ")"));
    }
}
