package servelab.runtime.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A loaded run with the short name tables and legends show: its folder's name, with as many parent folders as
 * tell it from the other runs'.
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
        var names = names(dirs);
        var out = new ArrayList<NamedRun>();
        for (int i = 0; i < dirs.size(); i++) out.add(new NamedRun(names.get(i), RunResults.load(dirs.get(i))));
        return List.copyOf(out);
    }

    /**
     * As {@link #load(List)}, but each run without its list columns and with only {@code iterationColumns} of its
     * iterations table ({@link RunResults#loadWithoutLists}): what a report reads.
     */
    public static List<NamedRun> loadWithoutLists(List<Path> dirs, java.util.Set<String> iterationColumns)
            throws IOException {
        var names = names(dirs);
        var out = new ArrayList<NamedRun>();
        for (int i = 0; i < dirs.size(); i++) {
            out.add(new NamedRun(names.get(i), RunResults.loadWithoutLists(dirs.get(i), iterationColumns)));
        }
        return List.copyOf(out);
    }

    /**
     * Each folder's name, with as many parent folders as it takes to tell it from the others' ({@code a/points/x}
     * and {@code b/points/x} are {@code a/points/x} and {@code b/points/x}, where one parent named both
     * {@code points/x}).
     */
    static List<String> names(List<Path> dirs) {
        var abs = dirs.stream().map(d -> d.toAbsolutePath().normalize()).toList();
        var depth = new int[abs.size()];
        java.util.Arrays.fill(depth, 1);
        var names = new ArrayList<String>();
        for (boolean deeper = true; deeper; ) {
            names.clear();
            for (int i = 0; i < abs.size(); i++) names.add(suffix(abs.get(i), depth[i]));
            var counts = new java.util.HashMap<String, Integer>();
            for (var n : names) counts.merge(n, 1, Integer::sum);
            deeper = false;
            for (int i = 0; i < abs.size(); i++) {
                if (counts.get(names.get(i)) > 1 && depth[i] < abs.get(i).getNameCount()) {
                    depth[i]++;
                    deeper = true;
                }
            }
        }
        return List.copyOf(names);
    }

    /** The last {@code depth} names of {@code abs}, joined by '/' (the root itself for the root). */
    private static String suffix(Path abs, int depth) {
        int count = abs.getNameCount();
        if (count == 0) return abs.toString();
        var parts = new ArrayList<String>();
        for (int k = Math.max(0, count - depth); k < count; k++) parts.add(abs.getName(k).toString());
        return String.join("/", parts);
    }
}
