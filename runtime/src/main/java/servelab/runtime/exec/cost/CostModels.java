package servelab.runtime.exec.cost;

import java.util.List;
import java.util.Optional;

/**
 * Builds cost models from profiles: bundled ones by name ({@code llama-3-8b/h100-80gb}), or YAML files by path.
 * A profile with a {@code measured:} table gives a {@link MeasuredCostModel}, any other a {@link RooflineCostModel}.
 */
public final class CostModels {
    static final String PROFILES = ProfileCatalog.PROFILES;

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
        return ProfileReader.read(ProfileCatalog.sourceOf(nameOrPath, Optional.empty()));
    }

    /** A measured model when the profile has a table, else the roofline. */
    public static CostModel of(CostProfile profile) {
        return profile.measured().isPresent() ? new MeasuredCostModel(profile) : new RooflineCostModel(profile);
    }

    /** Bundled profile names, in the index's order. */
    public static List<String> available() {
        return ProfileCatalog.available();
    }
}
