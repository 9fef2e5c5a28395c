package servelab.runtime.exec.cost;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a profile or table file lives: a bundled classpath resource (profiles are read from the jar, never by
 * listing a directory) or a file on disk. Relative references inside a file resolve against its folder.
 *
 * @param resource classpath resource name, or null for a file
 * @param file     file path, or null for a resource
 */
record ProfileSource(String resource, Path file) {
    private static final String CLASSPATH = "classpath:";

    static ProfileSource bundled(String resourceName) {
        return new ProfileSource(resourceName, null);
    }

    static ProfileSource file(Path path) {
        return new ProfileSource(null, path);
    }

    /** What error messages call this source: a file path, or {@code classpath:servelab/profiles/...}. */
    String display() {
        return resource != null ? CLASSPATH + resource : file.toString();
    }

    InputStream open() throws IOException {
        if (file != null) return Files.newInputStream(file);
        var in = ProfileSource.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) throw new FileNotFoundException("no classpath resource " + resource);
        return in;
    }

    /** A sibling of this source: {@code relative} resolved against this file's folder (absolute paths stay). */
    ProfileSource resolve(String relative) {
        if (file != null || Path.of(relative).isAbsolute()) {
            return file(file == null ? Path.of(relative) : file.resolveSibling(relative).normalize());
        }
        return bundled(URI.create(resource).resolve(relative).toString());
    }
}
