package servelab.fuzz;

import java.io.PrintWriter;

import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

/**
 * Runs one fuzz target, {@code servelab.fuzz.Class#method}, in its own JVM: Jazzer fuzzes a single {@code @FuzzTest}
 * per JVM (with {@code JAZZER_FUZZ=1}), so {@code fuzz/run} starts this once per target. Exits 1 when it failed.
 */
public final class FuzzMain {
    private FuzzMain() {}

    public static void main(String[] args) {
        if (args.length != 1 || !args[0].contains("#")) {
            System.err.println("usage: FuzzMain servelab.fuzz.Class#method");
            System.exit(2);
        }
        // every target takes the fuzzer's bytes; JUnit needs the parameter types to find a method that has some
        var method = args[0].contains("(") ? args[0] : args[0] + "(byte[])";
        var request = LauncherDiscoveryRequestBuilder.request().selectors(selectMethod(method)).build();
        var summary = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, summary);
        var result = summary.getSummary();
        if (result.getTestsFoundCount() == 0) {
            System.err.println("no fuzz target " + args[0]);
            System.exit(2);
        }
        result.printFailuresTo(new PrintWriter(System.err, true), 30);
        System.exit(result.getTotalFailureCount() == 0 ? 0 : 1);
    }
}
