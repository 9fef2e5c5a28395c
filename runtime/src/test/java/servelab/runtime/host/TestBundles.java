package servelab.runtime.host;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import javax.tools.ToolProvider;

/**
 * Builds real OSGi bundles inside tests: Java source compiled with the JDK's compiler against the test class path,
 * a hand-written Declarative Services descriptor and manifest, packed as a jar. Also packs the default plugins'
 * class folders (already processed by bnd) into jars.
 */
public final class TestBundles {
    private TestBundles() {}

    /** A scheduler plugin {@code name@version}; {@code body} is the code of {@code create(Params)}. */
    public static byte[] scheduler(Path work, String name, String version, String constructorBody, String createBody)
            throws IOException {
        String pkg = "probe." + name.replace('-', '_') + ".v" + version.replace('.', '_');
        String source = """
                package %s;
                import java.util.List;
                import servelab.api.*;
                import servelab.api.sched.*;
                public final class Factory implements PluginFactory<Scheduler> {
                    public Factory() { %s }
                    public PluginDescriptor descriptor() {
                        return new PluginDescriptor(PluginKind.SCHEDULER, "%s", "%s", "test probe", List.of());
                    }
                    public Scheduler create(Params params) { %s }
                }
                """.formatted(pkg, constructorBody, name, version, createBody);
        return bundle(work, pkg + ".Factory", source, version);
    }

    /**
     * A bundle of one plugin class {@code className} (a {@code PluginFactory} with a public no-argument
     * constructor) compiled from {@code source}.
     */
    public static byte[] bundle(Path work, String className, String source, String version, String... moreComponents)
            throws IOException {
        String pkg = className.substring(0, className.lastIndexOf('.'));
        String simple = className.substring(className.lastIndexOf('.') + 1);
        Path src = Files.createDirectories(work.resolve("src-" + pkg));
        Path classes = Files.createDirectories(work.resolve("classes-" + pkg));
        Path file = src.resolve(simple + ".java");
        Files.writeString(file, source);
        var compiler = ToolProvider.getSystemJavaCompiler();
        int rc = compiler.run(null, null, null, "-proc:none", "--release", "25", "-classpath",
                System.getProperty("java.class.path"), "-d", classes.toString(), file.toString());
        if (rc != 0) throw new IllegalStateException("test bundle source did not compile");
        var manifest = new Manifest();
        var main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", pkg);
        main.putValue("Bundle-Version", version);
        main.putValue("Import-Package", "servelab.api;version=\"[1.0,2)\",servelab.api.sched;version=\"[1.0,2)\","
                + "servelab.api.batch;version=\"[1.0,2)\"");
        var components = new java.util.ArrayList<String>();
        components.add(className);
        components.addAll(List.of(moreComponents)); // further plugin classes of the same source file
        var headers = new java.util.ArrayList<String>();
        for (int i = 0; i < components.size(); i++) headers.add("OSGI-INF/component" + (i == 0 ? "" : "-" + i) + ".xml");
        main.putValue("Service-Component", String.join(",", headers));
        var out = new java.io.ByteArrayOutputStream();
        try (var jar = new JarOutputStream(out, manifest)) {
            for (int i = 0; i < components.size(); i++) {
                put(jar, headers.get(i), """
                        <?xml version="1.0" encoding="UTF-8"?>
                        <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.3.0" name="%s">
                          <service><provide interface="servelab.api.PluginFactory"/></service>
                          <implementation class="%s"/>
                        </scr:component>
                        """.formatted(components.get(i), components.get(i)).getBytes());
            }
            try (var files = Files.walk(classes)) {
                for (var f : files.filter(Files::isRegularFile).toList()) {
                    put(jar, classes.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
                }
            }
        }
        return out.toByteArray();
    }

    /** The bundle a default plugin class comes from, as jar bytes (packing its bnd-processed class folder). */
    public static byte[] bundleOf(Class<?> pluginClass) throws IOException {
        Path location;
        try {
            location = Path.of(pluginClass.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (Files.isRegularFile(location)) return Files.readAllBytes(location);
        Manifest manifest;
        try (var in = Files.newInputStream(location.resolve("META-INF/MANIFEST.MF"))) {
            manifest = new Manifest(in);
        }
        var out = new java.io.ByteArrayOutputStream();
        try (var jar = new JarOutputStream(out, manifest); var files = Files.walk(location)) {
            for (var f : files.filter(Files::isRegularFile).toList()) {
                String name = location.relativize(f).toString().replace('\\', '/');
                if (!name.equals("META-INF/MANIFEST.MF")) put(jar, name, Files.readAllBytes(f));
            }
        }
        return out.toByteArray();
    }

    /** The same jar with another Import-Package header. */
    static byte[] withImport(byte[] jarBytes, String importPackage) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        try (var in = new java.util.jar.JarInputStream(new java.io.ByteArrayInputStream(jarBytes))) {
            var manifest = in.getManifest();
            manifest.getMainAttributes().putValue("Import-Package", importPackage);
            try (var jar = new JarOutputStream(out, manifest)) {
                for (var e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) put(jar, e.getName(), in.readAllBytes());
            }
        }
        return out.toByteArray();
    }

    /** A plugins directory with the default bundles (fcfs, sjf, continuous, paged, prefix caches, evictions, ngram). */
    public static java.nio.file.Path defaultPlugins(java.nio.file.Path dir) throws IOException {
        Files.createDirectories(dir);
        drop(dir, "fcfs.jar", bundleOf(servelab.schedulers.fcfs.FcfsScheduler.class));
        drop(dir, "sjf.jar", bundleOf(servelab.schedulers.sjf.ShortestJobFirstScheduler.class));
        drop(dir, "continuous.jar", bundleOf(servelab.plugins.batching.continuous.ContinuousBatcher.class));
        drop(dir, "paged.jar", bundleOf(servelab.plugins.caching.paged.PagedKvAllocator.class));
        drop(dir, "contiguous.jar", bundleOf(servelab.plugins.caching.contiguous.ContiguousKvAllocator.class));
        drop(dir, "prefix.jar", bundleOf(servelab.plugins.caching.prefix.NoPrefixCache.class));
        drop(dir, "eviction.jar", bundleOf(servelab.plugins.caching.eviction.LruEviction.class));
        drop(dir, "ngram.jar", bundleOf(servelab.plugins.speculative.ngram.NgramSpeculator.class));
        return dir;
    }

    /** Adds the router and admission bundles (plugins/routing/*, plugins/admission/*) to {@code dir}. */
    public static java.nio.file.Path clusterPlugins(java.nio.file.Path dir) throws IOException {
        Files.createDirectories(dir);
        for (var plugin : List.<Class<?>>of(servelab.plugins.routing.random.RandomRouter.class,
                servelab.plugins.routing.leastrequests.LeastRequestsRouter.class,
                servelab.plugins.routing.leasttokens.LeastTokensRouter.class,
                servelab.plugins.routing.powerofd.PowerOfDRouter.class,
                servelab.plugins.routing.prefixaware.PrefixAwareRouter.class,
                servelab.plugins.routing.weightedscorer.WeightedScorerRouter.class,
                servelab.plugins.routing.cacheaware.CacheAwareRouter.class,
                servelab.plugins.routing.kvcost.KvCostRouter.class,
                servelab.plugins.routing.consistenthash.ConsistentHashRouter.class,
                servelab.plugins.admission.boundedqueue.BoundedQueueAdmission.class,
                servelab.plugins.admission.tokenbucket.TokenBucketAdmission.class,
                servelab.plugins.admission.sloshedding.SloSheddingAdmission.class,
                servelab.plugins.admission.priorityshedding.PrioritySheddingAdmission.class,
                servelab.plugins.admission.degrade.DegradeAdmission.class)) {
            drop(dir, plugin.getSimpleName() + ".jar", bundleOf(plugin));
        }
        return dir;
    }

    /**
     * Adds the resilience and autoscaling bundles (plugins/resilience/*, plugins/scaling/*) to {@code dir}: retry and
     * retry-budget, hedge, circuit-breaker and outlier-ejection, and the three autoscalers.
     */
    public static java.nio.file.Path resiliencePlugins(java.nio.file.Path dir) throws IOException {
        Files.createDirectories(dir);
        drop(dir, "retry.jar", bundleOf(servelab.plugins.resilience.retry.BackoffRetry.class));
        drop(dir, "hedge.jar", bundleOf(servelab.plugins.resilience.hedge.QuantileHedge.class));
        drop(dir, "breaker.jar", bundleOf(servelab.plugins.resilience.breaker.CircuitBreakerPerReplica.class));
        drop(dir, "autoscaler.jar", bundleOf(servelab.plugins.scaling.autoscaler.TargetQueueAutoscaler.class));
        return dir;
    }

    /** Writes a jar the way a careful user copies one: to a temporary name, then an atomic rename. */
    public static void drop(Path dir, String fileName, byte[] bytes) throws IOException {
        Path tmp = dir.resolve("." + fileName + ".part");
        Files.write(tmp, bytes);
        Files.move(tmp, dir.resolve(fileName), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void put(JarOutputStream jar, String name, byte[] bytes) throws IOException {
        jar.putNextEntry(new JarEntry(name));
        jar.write(bytes);
        jar.closeEntry();
    }

    /** Collects host reports for assertions. */
    static final class Reports implements HostListener {
        final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void report(String type, String kind, String from, String to, String detail) {
            lines.add(type + " " + detail);
        }

        boolean any(String fragment) {
            synchronized (lines) {
                return lines.stream().anyMatch(l -> l.contains(fragment));
            }
        }

        int count(String fragment) {
            synchronized (lines) {
                return (int) lines.stream().filter(l -> l.contains(fragment)).count();
            }
        }
    }

}
