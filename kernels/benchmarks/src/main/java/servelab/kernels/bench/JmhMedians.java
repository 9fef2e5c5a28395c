package servelab.kernels.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Prints, for each benchmark (and parameter set) of a JMH JSON result file, the median of its measured iterations,
 * with the smallest and largest, in JMH's unit. Medians, because this shared machine's other tenants make a few
 * iterations slow, which drags a mean.
 */
public final class JmhMedians {
    private JmhMedians() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: JmhMedians RESULTS.json");
            System.exit(2);
        }
        var root = new ObjectMapper().readTree(Path.of(args[0]).toFile());
        System.out.printf("%-50s %-28s %10s %10s %10s  %s%n", "benchmark", "params", "median", "min", "max", "unit");
        for (JsonNode run : root) {
            var values = new ArrayList<Double>();
            for (JsonNode fork : run.path("primaryMetric").path("rawData")) {
                for (JsonNode value : fork) {
                    values.add(value.asDouble());
                }
            }
            Collections.sort(values);
            int n = values.size();
            double median = n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
            var params = new StringBuilder();
            run.path("params").properties().forEach(e -> params.append(e.getKey()).append('=').append(e.getValue().asText()).append(' '));
            String name = run.path("benchmark").asText().replaceFirst("^servelab\\.kernels\\.bench\\.", "");
            System.out.printf(Locale.ROOT, "%-50s %-28s %10.3f %10.3f %10.3f  %s%n", name, params.toString().strip(), median,
                    values.getFirst(), values.getLast(), run.path("primaryMetric").path("scoreUnit").asText());
        }
    }
}
