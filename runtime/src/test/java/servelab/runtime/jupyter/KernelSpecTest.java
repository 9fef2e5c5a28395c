package servelab.runtime.jupyter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.install.Installation;
import servelab.runtime.record.Json;

class KernelSpecTest {
    @TempDir Path tmp;

    /** A checkout laid out as the build leaves it, with empty jars. */
    private Installation builtCheckout() throws Exception {
        var home = tmp.resolve("checkout");
        Files.createDirectories(home.resolve("runtime/target/lib"));
        Files.createDirectories(home.resolve("runtime/target/jupyter"));
        Files.createFile(home.resolve("runtime/target/servelab-runtime.jar"));
        Files.createFile(home.resolve("runtime/target/lib/arrow-vector.jar"));
        Files.createFile(home.resolve("runtime/target/jupyter/rapaio-jupyter-kernel.jar"));
        return new Installation(home);
    }

    @Test
    void withoutAnInstalledJavaKernelTheRapaioKernelStartsWithServelabsJarsAndFlags() throws Exception {
        var checkout = builtCheckout();
        var spec = KernelSpec.forServelab(checkout, "servelab", List.of(tmp.resolve("no-kernels-here")));
        assertEquals("rapaio", spec.kernel());
        var argv = spec.argv();
        // then: this JDK's java, ServeLab's JVM flags, headless AWT, the checkout, and the kernel jar
        assertEquals(Installation.java().toString(), argv.getFirst());
        assertTrue(argv.containsAll(Installation.jvmFlags()), argv.toString());
        assertTrue(argv.contains("--add-opens=java.base/java.nio=ALL-UNNAMED"), "Arrow needs java.nio: " + argv);
        assertTrue(argv.contains("-Djava.awt.headless=true"), argv.toString());
        assertTrue(argv.contains("-Dservelab.home=" + checkout.home()), argv.toString());
        assertEquals(List.of("-jar", checkout.kernelJar().toString(), "{connection_file}"), argv.subList(argv.size() - 3, argv.size()));
        // and: the class path as globs, separated as rapaio separates them
        assertEquals(checkout.runtimeJar() + ";" + checkout.runtimeLib().resolve("*.jar"), spec.env().get("RJK_CLASSPATH"));
    }

    @Test
    void anInstalledIjavaKernelIsUsedWithItsJavaReplacedAndTheClassPathSet() throws Exception {
        var checkout = builtCheckout();
        var kernels = Files.createDirectories(tmp.resolve("kernels/java"));
        Files.writeString(kernels.resolve("kernel.json"), """
                {"argv": ["/usr/bin/java", "-jar", "/opt/ijava/ijava-1.3.0.jar", "{connection_file}"],
                 "display_name": "Java", "language": "java", "env": {"IJAVA_TIMEOUT": "-1"}}
                """);
        var spec = KernelSpec.forServelab(checkout, "servelab", List.of(tmp.resolve("kernels")));
        assertEquals("ijava", spec.kernel());
        var expected = new ArrayList<String>();
        expected.add(Installation.java().toString());
        expected.addAll(Installation.jvmFlags());
        expected.addAll(List.of("-Djava.awt.headless=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dservelab.home=" + checkout.home(), "-jar", "/opt/ijava/ijava-1.3.0.jar", "{connection_file}"));
        assertEquals(expected, spec.argv());
        assertEquals("-1", spec.env().get("IJAVA_TIMEOUT"), "its own settings are kept");
        assertEquals(checkout.runtimeJar() + File.pathSeparator + checkout.runtimeLib().resolve("*.jar"),
                spec.env().get("IJAVA_CLASSPATH"));
    }

    @Test
    void theKernelJsonIsWhatJupyterReads() throws Exception {
        var spec = KernelSpec.rapaio(builtCheckout(), "servelab");
        var file = spec.writeTo(tmp.resolve("kernels"));
        assertEquals(tmp.resolve("kernels/servelab/kernel.json"), file);
        var json = Json.MAPPER.readTree(file.toFile());
        assertEquals("java", json.get("language").asText());
        assertEquals("{connection_file}", json.get("argv").get(json.get("argv").size() - 1).asText());
        assertEquals(spec.env().get("RJK_CLASSPATH"), json.get("env").get("RJK_CLASSPATH").asText());
        // and: a later install does not mistake its own kernelspec for an IJava one
        assertTrue(JavaKernels.find(List.of(tmp.resolve("kernels"))).isEmpty());
    }

    @Test
    void anUnbuiltCheckoutSaysHowToBuildIt() {
        var e = assertThrows(IllegalStateException.class, () -> KernelSpec.rapaio(new Installation(tmp), "servelab"));
        assertTrue(e.getMessage().contains("rapaio-jupyter-kernel.jar does not exist: build ServeLab first"), e.getMessage());
    }
}
