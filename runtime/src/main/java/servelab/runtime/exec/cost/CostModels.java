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
 * Builds cost models from profiles: bundled ones by name ({@code llama-3-8b/h100-80gb}), or YAML files by path.
 * A profile with a {@code measured:} table gives a {@link MeasuredCostModel}, any other a {@link RooflineCostModel}.
 */
public final class CostModels {
    static final String PROFILES = "servelab/profiles/";
    /** Bundled names, one per line, because a jar's resources cannot be listed. */
    static final String INDEX = PROFILES + "index.txt";

    private CostModels() {
    }

    /**
     * The cost model of a bundled profile name or a profile YAML file path.
     *
     * @throws CostProfileException naming the file and field when the profile is unknown, unreadable or invalid
     */
    public static CostModel load(String nameOrPath) {
        return of(loadProfile(nameOrPath));
    }

    /** The profile behind {@link #load}, validated. */
    public static CostProfile loadProfile(String nameOrPath) {
        return ProfileReader.read(sourceOf(nameOrPath, Optional.empty()));
    }

    /** A measured model when the profile has a table, else the roofline. */
    public static CostModel of(CostProfile profile) {
        return profile.measured().isPresent() ? new MeasuredCostModel(profile) : new RooflineCostModel(profile);
    }

    /** Bundled profile names, in the index's order. */
    public static List<String> available() {
        var in = CostModels.class.getClassLoader().getResourceAsStream(INDEX);
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
                        + ") nor a readable file" + (path == null ? "" : " (" + path.toAbsolutePath() + ")"));
    }
}
