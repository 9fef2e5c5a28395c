package servelab.runtime.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.host.HostListener;
import servelab.runtime.host.TestBundles;
import servelab.runtime.host.Testbed;

/** Runs one after another in one started testbed (as a sweep member runs its points) match runs in fresh ones. */
class SharedTestbedTest {
    @TempDir Path work;

    private static ExperimentRunner.Options options(Path plugins, Testbed testbed) {
        return new ExperimentRunner.Options(plugins, (a, b, c, d, e) -> {}, null, null, testbed);
    }

    @Test
    void eachRunInASharedTestbedMatchesItsRunInAFreshOne() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var sjf = ExperimentFile.load(null, List.of("trace.synthetic.count=40", "plugins.scheduler.name=sjf"));
        var fcfs = ExperimentFile.load(null, List.of("trace.synthetic.count=40", "seed=3"));
        var bad = ExperimentFile.load(null, List.of("trace.synthetic.count=40", "plugins.scheduler.name=nope"));
        ExperimentRunner.run(sjf, work.resolve("fresh-sjf"), options(plugins, null));
        ExperimentRunner.run(fcfs, work.resolve("fresh-fcfs"), options(plugins, null));
        try (var testbed = Testbed.start(plugins, HostListener.STDERR)) {
            ExperimentRunner.run(sjf, work.resolve("shared-sjf"), options(plugins, testbed));
            // a run that fails at its start leaves the testbed as usable as one that finished
            var error = assertThrows(RuntimeException.class,
                    () -> ExperimentRunner.run(bad, work.resolve("shared-bad"), options(plugins, testbed)));
            assertEquals(true, error.getMessage().contains("unknown scheduler 'nope'"), error.getMessage());
            ExperimentRunner.run(fcfs, work.resolve("shared-fcfs"), options(plugins, testbed));
            assertEquals(0, testbed.registry().faultedBuilds(servelab.api.PluginKind.SCHEDULER).size());
        }
        for (var name : List.of("sjf", "fcfs")) {
            for (var file : List.of("requests.arrow", "iterations.arrow", "events.arrow")) {
                assertArrayEquals(Files.readAllBytes(work.resolve("fresh-" + name).resolve(file)),
                        Files.readAllBytes(work.resolve("shared-" + name).resolve(file)), name + " " + file);
            }
        }
    }
}
