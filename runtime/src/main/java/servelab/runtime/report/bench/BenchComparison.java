package servelab.runtime.report.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * Results side by side with a baseline's: for each benchmark of this run the baseline's result with the same
 * benchmark, mode and parameters, the ratio of the scores, and a verdict. A difference counts only when it
 * exceeds the combined error, the sum of both 99.9% confidence half-widths (the intervals do not overlap);
 * anything smaller is noise on a shared machine.
 *
 * @param rows        one per result of this run, in its order
 * @param onlyInBaseline baseline results this run lacks
 */
public record BenchComparison(List<Row> rows, List<JmhResult> onlyInBaseline) {

    /** How a result compares with its baseline. */
    public enum Verdict {
        /** No baseline result to compare with. */
        NEW("new"),
        /** The difference is within the combined error. */
        SAME("within error"),
        /** Worse beyond the combined error: a slower time, or a lower throughput. */
        SLOWER("SLOWER"),
        /** Better beyond the combined error. */
        FASTER("faster"),
        /** One of the two has no error estimate (a single measurement), so the difference cannot be judged. */
        UNKNOWN("no error estimate"),
        /** The units differ (for example ms/op against us/op): not compared. */
        OTHER_UNIT("other unit");

        private final String text;

        Verdict(String text) {
            this.text = text;
        }

        /** What a report prints. */
        public String text() {
            return text;
        }
    }

    /**
     * @param result   this run's result
     * @param baseline the baseline's, if it has one
     * @param ratio    score / baseline score; NaN without a baseline
     * @param verdict  see {@link Verdict}
     */
    public record Row(JmhResult result, Optional<JmhResult> baseline, double ratio, Verdict verdict) {}

    /** Compares {@code results} with {@code baseline} (empty: every row is {@link Verdict#NEW}). */
    public static BenchComparison of(List<JmhResult> results, List<JmhResult> baseline) {
        var byKey = new LinkedHashMap<String, JmhResult>();
        for (var b : baseline) byKey.put(b.key(), b);
        var rows = new ArrayList<Row>();
        for (var r : results) {
            var b = Optional.ofNullable(byKey.remove(r.key()));
            // scores in different units have no ratio (us/op over ms/op read as 1000x)
            rows.add(new Row(r, b, b.filter(x -> x.unit().equals(r.unit())).map(x -> r.score() / x.score())
                    .orElse(Double.NaN), b.map(x -> verdict(r, x)).orElse(Verdict.NEW)));
        }
        return new BenchComparison(List.copyOf(rows), List.copyOf(byKey.values()));
    }

    /** Whether any result got worse beyond its error. */
    public boolean anySlower() {
        return rows.stream().anyMatch(r -> r.verdict() == Verdict.SLOWER);
    }

    static Verdict verdict(JmhResult now, JmhResult before) {
        if (!now.unit().equals(before.unit())) return Verdict.OTHER_UNIT;
        if (Double.isNaN(now.error()) || Double.isNaN(before.error())) return Verdict.UNKNOWN;
        double diff = now.score() - before.score();
        if (Math.abs(diff) <= now.error() + before.error()) return Verdict.SAME;
        boolean better = now.higherIsBetter() ? diff > 0 : diff < 0;
        return better ? Verdict.FASTER : Verdict.SLOWER;
    }
}
