package servelab.runtime.jupyter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import servelab.runtime.record.Json;

/** Finds an installed IJava or JJava kernelspec, the Java kernels ServeLab prefers to its own rapaio fallback. */
final class JavaKernels {

    private JavaKernels() {
    }

    /**
     * An installed Java kernelspec.
     *
     * @param file   its kernel.json
     * @param kernel {@code ijava} or {@code jjava}
     * @param argv   its command
     * @param env    its environment
     */
    record Found(Path file, String kernel, List<String> argv, Map<String, String> env) {}

    /** The first IJava or JJava kernelspec in {@code searchDirs}, in their order; a servelab kernelspec is skipped. */
    static Optional<Found> find(List<Path> searchDirs) throws IOException {
        for (var dir : searchDirs) {
            if (!Files.isDirectory(dir)) continue;
            List<Path> specs;
            try (Stream<Path> kernels = Files.list(dir)) {
                specs = kernels.map(k -> k.resolve("kernel.json")).filter(Files::isRegularFile).sorted().toList();
            }
            for (var spec : specs) {
                var found = read(spec);
                if (found.isPresent()) return found;
            }
        }
        return Optional.empty();
    }

    private static Optional<Found> read(Path file) {
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            return Optional.empty(); // someone else's broken kernelspec is not ours to judge
        }
        if (json.path("metadata").has("servelab_kernel")) return Optional.empty();
        var argv = new ArrayList<String>();
        json.path("argv").forEach(a -> argv.add(a.asText()));
        String joined = String.join(" ", argv).toLowerCase(Locale.ROOT);
        String kernel = joined.contains("jjava") ? "jjava" : joined.contains("ijava") ? "ijava" : null;
        if (kernel == null) return Optional.empty();
        var env = new LinkedHashMap<String, String>();
        json.path("env").properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
        return Optional.of(new Found(file, kernel, List.copyOf(argv), env));
    }
}
