package servelab.runtime.report.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The sweep report's tables. */
class SweepReportTest {
    @Test
    void aPointWithoutCompletedRequestsShowsNotAvailableNotNaN() {
        var columns = new LinkedHashMap<String, List<Object>>();
        columns.put("point_id", List.of("a", "b"));
        columns.put("seed", List.of(1L, 2L));
        columns.put("request_goodput", List.of(2.5, 0.0));
        columns.put("replica_seconds", List.of(10.0, 10.0));
        columns.put("p99_ttft_ms", List.of(120.0, Double.NaN));
        var sweep = new SweepResults(Path.of("sweep"), "id", List.of("seed"), columns);
        // the run report writes n/a where no request completed; the sweep report wrote NaN
        assertEquals(List.of(List.of("a", "1", "2.500", "10.000", "120.000"), List.of("b", "2", "0.000", "10.000", "n/a")),
                SweepReport.rows(sweep, "request_goodput", List.of(0, 1)));
    }
}
