package servelab.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** A plugins directory with the default bundles, packed from their bnd-processed class folders (as runtime's tests do). */
final class TestPlugins {
    private TestPlugins() {}

    static Path defaultPlugins(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (var c : new Class<?>[] {servelab.schedulers.fcfs.FcfsScheduler.class,
                servelab.schedulers.sjf.ShortestJobFirstScheduler.class,
                servelab.plugins.batching.continuous.ContinuousBatcher.class,
                servelab.plugins.caching.paged.PagedKvAllocator.class,
                servelab.plugins.caching.prefix.NoPrefixCache.class,
                servelab.plugins.admission.boundedqueue.BoundedQueueAdmission.class,
                servelab.plugins.admission.degrade.DegradeAdmission.class,
                servelab.plugins.caching.eviction.LruEviction.class}) {
            Files.write(dir.resolve(c.getSimpleName() + ".jar"), bundleOf(c));
        }
        return dir;
    }

    private static byte[] bundleOf(Class<?> pluginClass) throws IOException {
        Path location;
        try {
            location = Path.of(pluginClass.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        if (Files.isRegularFile(location)) return Files.readAllBytes(location);
        Manifest manifest;
        try (var in = Files.newInputStream(location.resolve("META-INF/MANIFEST.MF"))) {
            manifest = new Manifest(in);
        }
        var out = new ByteArrayOutputStream();
        try (var jar = new JarOutputStream(out, manifest); var files = Files.walk(location)) {
            for (var f : files.filter(Files::isRegularFile).toList()) {
                String name = location.relativize(f).toString().replace('\\', '/');
                if (name.equals("META-INF/MANIFEST.MF")) continue;
                jar.putNextEntry(new JarEntry(name));
                jar.write(Files.readAllBytes(f));
                jar.closeEntry();
            }
        }
        return out.toByteArray();
    }
}
