package servelab.runtime.install;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.lang.model.SourceVersion;

import servelab.api.PluginKind;

/**
 * Writes a new plugin module into a checkout, following the existing layout: {@code schedulers/NAME} for a
 * scheduler, {@code plugins/<family>/NAME} for the other kinds; a pom under plugins/bundle-parent, a bnd.bnd, the
 * plugin class (a descriptor and a minimal policy of its kind) and a contract test that extends the testkit's, and
 * the module in the root pom's list. The text comes from the templates in {@code servelab/scaffold/} on the class
 * path; {@code ${key}} stands for a value of {@link #values}.
 *
 * @param root the checkout (the folder with the root pom.xml)
 */
public record PluginScaffold(Path root) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");
    private static final Pattern KEY = Pattern.compile("\\$\\{([a-zA-Z]+)}");

    /** Where a kind's modules live and what its names look like. */
    record Layout(String folder, String packagePrefix, String artifactPrefix, String classSuffix, String contract) {}

    /** What was written. */
    public record Module(PluginKind kind, String name, Path dir, String relative, String className, Path sourceFile,
                         String testClass) {}

    static Layout layout(PluginKind kind) {
        return switch (kind) {
            case SCHEDULER -> new Layout("schedulers", "servelab.schedulers", "servelab-scheduler-", "Scheduler",
                    "SchedulerContractTest");
            case BATCHER -> new Layout("plugins/batching", "servelab.plugins.batching", "servelab-batcher-", "Batcher",
                    "BatcherContractTest");
            case KV_ALLOCATOR -> new Layout("plugins/caching", "servelab.plugins.caching", "servelab-kv-", "KvAllocator",
                    "KvAllocatorContractTest");
            case PREFIX_CACHE -> new Layout("plugins/caching", "servelab.plugins.caching", "servelab-prefix-cache-",
                    "PrefixCache", "PrefixCacheContractTest");
            case EVICTION -> new Layout("plugins/caching", "servelab.plugins.caching", "servelab-eviction-", "Eviction",
                    "EvictionContractTest");
            case SPECULATOR -> new Layout("plugins/speculative", "servelab.plugins.speculative", "servelab-speculator-",
                    "Speculator", "SpeculatorContractTest");
            case ROUTER -> new Layout("plugins/routing", "servelab.plugins.routing", "servelab-router-", "Router",
                    "RouterContractTest");
            case ADMISSION -> new Layout("plugins/admission", "servelab.plugins.admission", "servelab-admission-",
                    "Admission", "AdmissionContractTest");
            case RETRY -> new Layout("plugins/resilience", "servelab.plugins.resilience", "servelab-retry-", "Retry",
                    "RetryContractTest");
            case HEDGE -> new Layout("plugins/resilience", "servelab.plugins.resilience", "servelab-hedge-", "Hedge",
                    "HedgeContractTest");
            case BREAKER -> new Layout("plugins/resilience", "servelab.plugins.resilience", "servelab-breaker-",
                    "Breaker", "BreakerContractTest");
            case AUTOSCALER -> new Layout("plugins/scaling", "servelab.plugins.scaling", "servelab-autoscaler-",
                    "Autoscaler", "AutoscalerContractTest");
        };
    }

    /**
     * The module folder (relative to the root) a plugin of {@code kind} named {@code name} gets.
     *
     * @throws IllegalArgumentException when the name is not lower-case words joined by '-', or makes a Java keyword
     */
    public static String moduleFolder(PluginKind kind, String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("plugin name '" + name + "' must be lower-case words joined by '-'"
                    + " (letters and digits, starting with a letter), like shortest-prompt");
        }
        String segment = name.replace("-", "");
        if (SourceVersion.isKeyword(segment)) {
            throw new IllegalArgumentException("plugin name '" + name + "' would make the Java package segment '"
                    + segment + "', a keyword; choose another name");
        }
        return layout(kind).folder() + "/" + name;
    }

    /**
     * Writes the module and adds it to the root pom.
     *
     * @throws IllegalArgumentException when the folder exists or the root pom already lists the module
     */
    public Module write(PluginKind kind, String name) throws IOException {
        String relative = moduleFolder(kind, name);
        var dir = root.resolve(relative);
        if (Files.exists(dir)) {
            throw new IllegalArgumentException("a module folder " + relative + " already exists; choose another name");
        }
        var pom = root.resolve("pom.xml");
        String rootPom = Files.readString(pom);
        if (rootPom.contains("<module>" + relative + "</module>")) {
            throw new IllegalArgumentException("the root pom.xml already lists the module " + relative);
        }
        var values = values(kind, name, relative);
        var layout = layout(kind);
        var sourceDir = dir.resolve("src/main/java/" + values.get("package").replace('.', '/'));
        var testDir = dir.resolve("src/test/java/" + values.get("package").replace('.', '/'));
        var source = sourceDir.resolve(values.get("class") + ".java");
        Files.createDirectories(sourceDir);
        Files.createDirectories(testDir);
        Files.writeString(dir.resolve("pom.xml"), fill("pom.xml", values));
        Files.writeString(dir.resolve("bnd.bnd"), fill("bnd.bnd", values));
        Files.writeString(source, fill(kind.id() + ".java", values));
        Files.writeString(testDir.resolve(values.get("testClass") + ".java"), fill("ContractTest.java", values));
        Files.writeString(pom, withModule(rootPom, relative, layout.folder()));
        return new Module(kind, name, dir, relative, values.get("class"), source,
                values.get("package") + "." + values.get("testClass"));
    }

    /** What the templates' {@code ${key}}s stand for. */
    static Map<String, String> values(PluginKind kind, String name, String relative) {
        var layout = layout(kind);
        var camel = new StringBuilder();
        for (var word : name.split("-")) camel.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
        String className = camel + layout.classSuffix();
        String parentPath = "../".repeat(relative.split("/").length) + "plugins/bundle-parent/pom.xml";
        return Map.ofEntries(Map.entry("name", name), Map.entry("kind", kind.id()),
                Map.entry("kindConstant", kind.name()), Map.entry("class", className),
                Map.entry("testClass", className + "Test"),
                Map.entry("package", layout.packagePrefix() + "." + name.replace("-", "")),
                Map.entry("artifactId", layout.artifactPrefix() + name),
                Map.entry("bsn", layout.artifactPrefix().replace("servelab-", "servelab.").replace("-", ".") + name.replace("-", "")),
                Map.entry("parentPath", parentPath),
                Map.entry("contract", layout.contract()),
                Map.entry("policyType", kind.policyType().getSimpleName()),
                Map.entry("policyImport", kind.policyType().getName()),
                Map.entry("dependencies", optional(kind.id() + ".pom-dependencies", Map.of())),
                Map.entry("bnd", optional(kind.id() + ".bnd", Map.of())));
    }

    /**
     * {@code pom} with {@code <module>relative</module>} after the last module of the same folder, or, for the
     * first of its family, before the kernels; the rest of the file as it was.
     */
    static String withModule(String pom, String relative, String folder) {
        var lines = new ArrayList<>(List.of(pom.split("\n", -1)));
        int after = -1;
        int kernels = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.startsWith("<module>" + folder + "/")) after = i;
            if (line.equals("<module>kernels</module>") && kernels < 0) kernels = i;
        }
        int at = after >= 0 ? after + 1 : kernels;
        if (at < 0) throw new IllegalArgumentException("cannot find where to add the module in the root pom.xml: it has"
                + " no module of " + folder + "/ and no <module>kernels</module>");
        String indent = lines.get(at - (after >= 0 ? 1 : 0)).replaceAll("\\S.*", "");
        lines.add(at, indent + "<module>" + relative + "</module>");
        return String.join("\n", lines);
    }

    private static String fill(String template, Map<String, String> values) {
        String text = optional(template, values);
        if (text.isEmpty()) throw new IllegalStateException("no scaffold template " + template + " on the class path");
        return text;
    }

    /** The template {@code name}.txt with its keys replaced, or "" when there is none. */
    private static String optional(String name, Map<String, String> values) {
        try (InputStream in = PluginScaffold.class.getResourceAsStream("/servelab/scaffold/" + name + ".txt")) {
            if (in == null) return "";
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = KEY.matcher(text);
            var out = new StringBuilder();
            while (m.find()) {
                String value = values.get(m.group(1));
                if (value == null) throw new IllegalStateException("template " + name + " uses unknown key ${" + m.group(1) + "}");
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            return m.appendTail(out).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
