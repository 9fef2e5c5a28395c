package servelab.runtime.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * A loaded run with the short name tables and legends show: its folder's name, or parent/name where two folders
 * share a name.
 *
 * @param name    unique among the runs loaded together
 * @param results the run's tables and run.json
 */
public record NamedRun(String name, RunResults results) {

    public NamedRun {
        Objects.requireNonNull(name, "NamedRun.name");
        Objects.requireNonNull(results, "NamedRun.results");
    }

    /**
     * Loads run folders in the given order.
     *
     * @throws InvalidResultsException naming the folder or file that is not a run or not readable
     */
    public static List<NamedRun> load(List<Path> dirs) throws IOException {
        var names = new HashSet<String>();
        var duplicated = new HashSet<String>();
        for (var dir : dirs) if (!names.add(shortName(dir))) duplicated.add(shortName(dir));
        var out = new ArrayList<NamedRun>();
        for (var dir : dirs) {
            String name = shortName(dir);
            if (duplicated.contains(name)) {
                var abs = dir.toAbsolutePath().normalize();
                name = (abs.getParent() != null && abs.getParent().getFileName() != null
                        ? abs.getParent().getFileName() + "/" : "") + name;
            }
            out.add(new NamedRun(name, RunResults.load(dir)));
        }
        return List.copyOf(out);
    }

    private static String shortName(Path dir) {
        var abs = dir.toAbsolutePath().normalize();
        return abs.getFileName() == null ? abs.toString() : abs.getFileName().toString();
    }
}
