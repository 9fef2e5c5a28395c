import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Element;

/**
 * Which modules the launcher must rebuild: run from the checkout's root as
 * {@code java .mvn/ChangedModules.java [--unfollowed DIR,...] STAMP [REQUIRED_FILE...]}; prints one line, one of
 * <ul>
 * <li>{@code all REASON}: build the whole reactor (no stamp, a required file or a module's jar missing, or a change
 * in a pom-packaged module: a parent's settings reach every child);</li>
 * <li>{@code some DIR,DIR,...}: the modules whose inputs (pom.xml, bnd.bnd, src/main) are newer than STAMP, and every
 * module that depends on one of them other than for its tests, except the {@code --unfollowed} ones (modules whose
 * own scripts build them before use, such as the benchmarks), for {@code ./mvnw package -pl LIST -am};</li>
 * <li>{@code none}: nothing to build.</li>
 * </ul>
 * Test-scoped dependents are left out on purpose: the launcher packages without tests, and the runtime test-depends on
 * every plugin, so following those edges would turn each plugin edit into a rebuild of nearly everything. {@code -am}
 * stays necessary: a module left out of the reactor would resolve from ~/.m2 (where nothing current is installed),
 * never from its own target/ folder.
 */
public class ChangedModules {

    /**
     * A reactor module: its folder (relative, '/'-separated; "" for the root), its artifact, whether it is
     * pom-packaged (a parent or an aggregator: no jar of its own), its parent's artifact and what it needs other than
     * for its tests.
     */
    record Module(String dir, String artifactId, boolean pomOnly, String parent, Set<String> needs, String version) {}

    public static void main(String[] args) throws Exception {
        var rest = new ArrayList<>(List.of(args));
        var unfollowed = Set.<String>of();
        Path listing = null;
        while (rest.size() >= 2 && rest.getFirst().startsWith("--")) {
            String option = rest.removeFirst();
            if (option.equals("--unfollowed")) unfollowed = Set.of(rest.removeFirst().split(","));
            else if (option.equals("--listing")) listing = Path.of(rest.removeFirst());
            else if (option.equals("--bundles")) {
                for (var name : bundles(Path.of("").toAbsolutePath(), rest.removeFirst())) System.out.println(name);
                return;
            }
            else break;
        }
        if (rest.isEmpty()) {
            System.err.println("usage: java .mvn/ChangedModules.java [--unfollowed DIR,...] [--listing FILE] STAMP "
                    + "[REQUIRED_FILE...]");
            System.exit(2);
        }
        System.out.println(decide(Path.of("").toAbsolutePath(), Path.of(rest.getFirst()), listing,
                rest.subList(1, rest.size()), unfollowed));
    }

    static String decide(Path root, Path stamp, List<String> required, Set<String> unfollowed) throws Exception {
        return decide(root, stamp, null, required, unfollowed);
    }

    /**
     * As above; with {@code listing} (the build inputs now, one {@code PATH<tab>SIZE<tab>TIME} line each, as the
     * launcher lists them) and a stamp that holds the listing of the last build, the changed inputs are the lines
     * that differ, not the files newer than the stamp: a file put back with its old time ({@code cp -p}, {@code tar x})
     * was never rebuilt, a future time rebuilt on every command, and a deleted resource folder went unseen. Modules
     * that lost an input are named on a second line ({@code clean DIR,...}), whatever the first says: their
     * target/classes still held it.
     */
    static String decide(Path root, Path stamp, Path listing, List<String> required, Set<String> unfollowed)
            throws Exception {
        if (!Files.isRegularFile(root.resolve(stamp))) return "all no build stamp " + stamp;
        for (var file : required) {
            if (!Files.isRegularFile(root.resolve(file))) return "all missing " + file;
        }
        var modules = reactor(root);
        for (var module : modules.values()) {
            if (!module.pomOnly() && !hasJar(root.resolve(module.dir()).resolve("target"))) {
                return "all no jar in " + module.dir() + "/target";
            }
        }
        var changed = new LinkedHashSet<Module>();
        var lost = new LinkedHashSet<String>();
        var before = Files.readAllLines(root.resolve(stamp));
        List<String> files;
        if (listing != null && !before.isEmpty()) {
            var now = Files.readAllLines(root.resolve(listing));
            files = differing(before, now);
            for (var file : gone(before, now)) {
                var owner = owner(root, file, modules);
                if (owner != null && !owner.pomOnly()) lost.add(owner.dir());
            }
        } else {
            files = newerInputs(root, Files.getLastModifiedTime(root.resolve(stamp)));
        }
        // a module that lost an input is named on a second line, whatever is built: its target/classes still holds it
        String clean = lost.isEmpty() ? "" : "\nclean " + String.join(",", lost);
        for (var file : files) {
            var owner = owner(root, file, modules);
            if (owner == null) continue; // a module outside the default reactor (a profile's), or no module
            if (owner.pomOnly()) return "all changed " + file + clean;
            changed.add(owner);
        }
        if (changed.isEmpty()) return "none";
        var build = new LinkedHashSet<String>();
        for (var module : changed) build.add(module.dir());
        for (boolean grew = true; grew; ) { // until no module newly needs one in the set
            grew = false;
            for (var module : modules.values()) {
                if (module.pomOnly() || unfollowed.contains(module.dir()) || build.contains(module.dir())) continue;
                if (needsAny(module, build, modules)) {
                    build.add(module.dir());
                    grew = true;
                }
            }
        }
        return "some " + String.join(",", modules.keySet().stream().filter(build::contains).toList()) + clean;
    }

    /** The paths of the lines in one listing and not the other (added, removed, or changed in size or time). */
    static List<String> differing(List<String> before, List<String> now) {
        var old = new java.util.HashSet<>(before);
        var current = new java.util.HashSet<>(now);
        var paths = new java.util.TreeSet<String>();
        for (var line : before) if (!current.contains(line)) paths.add(path(line));
        for (var line : now) if (!old.contains(line)) paths.add(path(line));
        return List.copyOf(paths);
    }

    /** The paths listed before and not now: deleted inputs. */
    static List<String> gone(List<String> before, List<String> now) {
        var current = new java.util.HashSet<String>();
        for (var line : now) current.add(path(line));
        return before.stream().map(ChangedModules::path).filter(p -> !current.contains(p)).toList();
    }

    private static String path(String line) {
        int tab = line.indexOf('\t');
        return tab < 0 ? line : line.substring(0, tab);
    }

    /**
     * The jars the reactor's modules whose parent is {@code parent} (the bundle parent, whose build copies each
     * bundle into the plugins folder) have in their target/ folders, by file name, sorted: what a build puts into the
     * plugins folder, so that the launcher can take out the jar of a module renamed or removed since.
     */
    static List<String> bundles(Path root, String parent) throws Exception {
        var names = new TreeSet<String>();
        for (var module : reactor(root).values()) {
            if (module.pomOnly() || !parent.equals(module.parent())) continue;
            // ARTIFACT-VERSION.jar of the pom's version only: a folder moved with its module (git mv) keeps the jar of
            // its old artifact, and Maven leaves the jar of an earlier version in target/
            String jar = module.artifactId() + "-" + module.version() + ".jar";
            if (module.version() != null && Files.isRegularFile(root.resolve(module.dir()).resolve("target").resolve(jar))) {
                names.add(jar);
            }
        }
        return List.copyOf(names);
    }

    /** The default reactor: the root pom's modules (not its profiles'), recursively, in declaration order. */
    static Map<String, Module> reactor(Path root) throws Exception {
        var byArtifact = new LinkedHashMap<String, Module>();
        collect(root, "", byArtifact);
        var byDir = new LinkedHashMap<String, Module>();
        for (var module : byArtifact.values()) byDir.put(module.dir(), module);
        return byDir;
    }

    private static void collect(Path root, String dir, Map<String, Module> into) throws Exception {
        var pom = root.resolve(dir.isEmpty() ? "pom.xml" : dir + "/pom.xml");
        var project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
        var parent = child(project, "parent");
        var needs = new LinkedHashSet<String>();
        var dependencies = child(project, "dependencies");
        for (var dependency : children(dependencies, "dependency")) {
            if (!"test".equals(text(dependency, "scope"))) needs.add(text(dependency, "artifactId"));
        }
        String version = text(project, "version") != null ? text(project, "version")
                : parent == null ? null : text(parent, "version"); // a child inherits its parent's
        var module = new Module(dir, text(project, "artifactId"), "pom".equals(text(project, "packaging")),
                parent == null ? null : text(parent, "artifactId"), needs, version);
        into.put(module.artifactId(), module);
        for (var sub : children(child(project, "modules"), "module")) {
            collect(root, (dir.isEmpty() ? "" : dir + "/") + sub.getTextContent().trim(), into);
        }
    }

    /** Whether {@code module} needs (directly, or through a parent pom's dependencies) a module in {@code dirs}. */
    private static boolean needsAny(Module module, Set<String> dirs, Map<String, Module> modules) {
        for (var m = module; m != null; m = parentOf(m, modules)) {
            for (var other : modules.values()) {
                if (dirs.contains(other.dir()) && m.needs().contains(other.artifactId())) return true;
            }
        }
        return false;
    }

    private static Module parentOf(Module module, Map<String, Module> modules) {
        return modules.values().stream().filter(m -> m.artifactId().equals(module.parent())).findFirst().orElse(null);
    }

    /** The module whose folder holds {@code file} most closely; null when the closest pom.xml is not a module's. */
    private static Module owner(Path root, String file, Map<String, Module> modules) {
        for (var dir = parentDir(file); dir != null; dir = parentDir(dir)) {
            if (modules.containsKey(dir)) return modules.get(dir);
            if (Files.exists(root.resolve(dir.isEmpty() ? "pom.xml" : dir + "/pom.xml"))) return null;
        }
        return null;
    }

    private static String parentDir(String path) {
        if (path.isEmpty()) return null;
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    /**
     * Build inputs newer than {@code stamp}, relative to {@code root}: pom.xml, bnd.bnd, anything under src/main, and
     * folders under src/main (a deleted source leaves only its folder's time behind).
     */
    static List<String> newerInputs(Path root, FileTime stamp) throws IOException {
        var found = new ArrayList<String>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                var name = String.valueOf(dir.getFileName());
                if (name.equals("target") || name.equals(".git") || name.equals("node_modules")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                var relative = root.relativize(dir).toString().replace('\\', '/');
                if (relative.contains("src/main/") && attrs.lastModifiedTime().compareTo(stamp) > 0) {
                    found.add(relative + "/");
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                var relative = root.relativize(file).toString().replace('\\', '/');
                var name = file.getFileName().toString();
                boolean input = name.equals("pom.xml") || name.equals("bnd.bnd") || relative.contains("src/main/");
                if (input && attrs.lastModifiedTime().compareTo(stamp) > 0) found.add(relative);
                return FileVisitResult.CONTINUE;
            }
        });
        return found;
    }

    private static boolean hasJar(Path target) {
        try (var files = Files.list(target)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".jar"));
        } catch (IOException e) {
            return false;
        }
    }

    private static Element child(Element parent, String name) {
        if (parent == null) return null;
        for (var node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element e && e.getTagName().equals(name)) return e;
        }
        return null;
    }

    private static List<Element> children(Element parent, String name) {
        var found = new ArrayList<Element>();
        if (parent == null) return found;
        for (var node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element e && e.getTagName().equals(name)) found.add(e);
        }
        return found;
    }

    private static String text(Element parent, String name) {
        var element = child(parent, name);
        return element == null ? null : element.getTextContent().trim();
    }
}
