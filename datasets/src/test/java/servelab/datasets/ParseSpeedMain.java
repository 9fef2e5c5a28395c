package servelab.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Rough parse timings of the shared traces (not a test, not a benchmark: no timing is asserted anywhere). Run:
 * {@code java -cp datasets/target/classes:datasets/target/test-classes:<jackson-core.jar>
 * servelab.datasets.ParseSpeedMain /work/shared/traces}. Prints the median of 20 warm reads per file.
 */
public final class ParseSpeedMain {
    private ParseSpeedMain() {
    }

    public static void main(String[] args) throws IOException {
        var traces = Path.of(args.length > 0 ? args[0] : "../shared/traces");
        for (var name : new String[]{"azure_llm_2023/AzureLLMInferenceTrace_conv.before_1845.csv",
                "azure_llm_2023/AzureLLMInferenceTrace_code.before_1845.csv", "mooncake_fast25/conversation_trace.jsonl"}) {
            var file = traces.resolve(name);
            long rows = 0;
            var readMs = new double[20];
            var statsMs = new double[20];
            for (int round = 0; round < 40; round++) {
                long start = System.nanoTime();
                try (var reader = Traces.open(file)) {
                    rows = 0;
                    while (reader.hasNext()) rows += reader.next().inputTokens() > 0 ? 1 : 0;
                }
                long read = System.nanoTime();
                TraceStats.of(file);
                long stats = System.nanoTime();
                if (round >= 20) {
                    readMs[round - 20] = (read - start) / 1e6;
                    statsMs[round - 20] = (stats - read) / 1e6;
                }
            }
            Arrays.sort(readMs);
            Arrays.sort(statsMs);
            System.out.printf("%-60s %6d rows  read %6.2f ms  stats %6.2f ms  (median of 20 warm runs)%n",
                    name, rows, readMs[10], statsMs[10]);
        }
    }
}
