package servelab.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Every number of every shared trace's {@code stats.json} is reproduced, under the same key. */
class SharedTraceStatsTest {
    /** Relative tolerance of every value: agreement to the last few bits of a double. */
    private static final double RELATIVE = 1e-12;
    /**
     * Relative tolerance of the Azure values computed from arrival times. The reference took them as float64
     * seconds since 1970, whose resolution (2.4e-7 s) is coarser than the files' 100 ns, so each of its gaps is
     * off by up to 2.4e-7 s against a mean gap of 0.18 s: its CV of the conversation slice is 1.072806908005862
     * where exact nanoseconds give 1.0728069016185 (numpy on integer nanoseconds agrees with us to 1e-14).
     */
    private static final double AZURE_TIMING_RELATIVE = 1e-7;
    private static final List<String> TIMING_KEYS = List.of("span_s", "rate_rps", "cv_iat", "idx_disp_1s",
            "idx_disp_3s", "idx_disp_60s");

    @ParameterizedTest
    @ValueSource(strings = {"azure_llm_2023", "burstgpt", "mooncake_fast25"})
    void reproducesEveryValueOfTheReferenceStatistics(String folder) throws IOException {
        var statsFile = TraceFiles.sharedTrace(folder + "/stats.json");
        List<?> references = new ObjectMapper().readValue(statsFile.toFile(), List.class);
        for (var reference : references) {
            var expected = (Map<?, ?>) reference;
            var trace = statsFile.resolveSibling((String) expected.get("file"));
            double timing = "azure-csv".equals(expected.get("kind")) ? AZURE_TIMING_RELATIVE : RELATIVE;
            assertSame(trace.getFileName().toString(), expected, TraceStats.of(trace).toMap(), timing);
        }
    }

    private static void assertSame(String where, Map<?, ?> expected, Map<?, ?> actual, double timingTolerance) {
        assertEquals(expected.keySet(), actual.keySet(), where + ": keys");
        for (var key : expected.keySet()) {
            var path = where + "." + key;
            var want = expected.get(key);
            var got = actual.get(key);
            switch (want) {
                case Map<?, ?> nested -> assertSame(path, nested, assertInstanceOf(Map.class, got, path), timingTolerance);
                case String text -> assertEquals(text, got, path);
                case Number number -> {
                    double w = number.doubleValue();
                    double g = assertInstanceOf(Number.class, got, path).doubleValue();
                    double tolerance = TIMING_KEYS.contains(key) ? timingTolerance : RELATIVE;
                    assertTrue(Math.abs(g - w) <= tolerance * Math.abs(w), path + ": expected " + w + ", was " + g);
                }
                default -> throw new AssertionError(path + ": unexpected reference value " + want);
            }
        }
    }
}
