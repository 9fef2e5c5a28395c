package servelab.runtime.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code servelab test}: the whole test suite. The launcher script runs it directly with the Maven wrapper and the
 * right JDK; this command exists so {@code --help} documents it and a plain {@code java} launch does the same.
 */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = {"Run the whole test suite (./mvnw verify: unit, integration and SPI baseline checks) with",
                "JDK 25. Extra arguments go to Maven, e.g. servelab test -pl runtime -am -Dtest=HotSwapTest",
                "-Dsurefire.failIfNoSpecifiedTests=false (-am builds the modules it needs from this checkout; without",
                "it Maven takes them from ~/.m2, whatever was installed there last)."})
final class TestCommand implements java.util.concurrent.Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "MAVEN_ARGS", description = "extra arguments for Maven")
    List<String> mavenArgs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        var home = Path.of(System.getProperty("servelab.home", "."));
        var mvnw = home.resolve("mvnw");
        if (!Files.isExecutable(mvnw)) throw new IllegalStateException("no Maven wrapper at " + mvnw);
        var command = new ArrayList<>(List.of(mvnw.toString(), "-B", "verify"));
        command.addAll(mavenArgs);
        var process = new ProcessBuilder(command).directory(home.toFile()).inheritIO();
        process.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return process.start().waitFor();
    }
}
