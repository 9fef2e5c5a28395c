package servelab.runtime.report.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** JMH result JSON written by hand, in the shape JMH 1.37 writes with {@code -rf json}, for tests. */
final class FakeJmh {

    private FakeJmh() {
    }

    /** One result entry: a benchmark with one parameter, a score and its error (NaN is written as JMH does). */
    static String entry(String benchmark, String mode, String trace, double score, double error, String unit) {
        return String.format(Locale.ROOT, """
                {
                  "jmhVersion" : "1.37", "benchmark" : "%s", "mode" : "%s", "threads" : 1, "forks" : 1,
                  "params" : { "trace" : "%s" },
                  "primaryMetric" : { "score" : %s, "scoreError" : %s, "scoreConfidence" : [ 0, 0 ],
                                      "scoreUnit" : "%s", "rawData" : [ [ 1.0 ] ] },
                  "secondaryMetrics" : { }
                }""", benchmark, mode, trace, score, Double.isNaN(error) ? "\"NaN\"" : Double.toString(error), unit);
    }

    static Path write(Path file, String... entries) throws IOException {
        Files.writeString(file, "[\n" + String.join(",\n", entries) + "\n]\n");
        return file;
    }
}
