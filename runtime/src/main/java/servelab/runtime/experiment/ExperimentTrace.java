package servelab.runtime.experiment;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import servelab.datasets.ReadOptions;
import servelab.datasets.SkipReason;
import servelab.datasets.TraceFormat;
import servelab.datasets.TraceReader;
import servelab.datasets.TraceRequest;
import servelab.datasets.Traces;
import servelab.datasets.synthetic.Arrivals;
import servelab.datasets.synthetic.Lengths;
import servelab.datasets.synthetic.SyntheticTrace;
import servelab.datasets.synthetic.TenantMix;
import servelab.datasets.transform.TracePipeline;
import servelab.datasets.transform.TraceSource;

/**
 * An experiment's requests, streamed: a trace file read lazily (never loaded whole) or a seeded synthetic
 * workload, through the experiment's transforms. Describes itself for run.json (file, format, SHA-256, rows read
 * and skipped, transforms).
 */
final class ExperimentTrace implements AutoCloseable {
    private final TraceSpec spec;
    private final Stream<TraceRequest> stream;
    private final Iterator<TraceRequest> iterator;
    private TraceReader lastReader;

    private ExperimentTrace(Experiment exp) throws IOException {
        this.spec = exp.trace();
        var pipeline = TracePipeline.of(source(exp));
        var t = spec.transforms();
        if (t.windowS() != null) pipeline = pipeline.window(t.windowS().get(0), t.windowS().get(1));
        if (t.first() > 0) pipeline = pipeline.first(t.first());
        if (t.timeScale() > 0) pipeline = pipeline.timeScale(t.timeScale());
        if (t.targetRate() > 0) pipeline = pipeline.targetRate(t.targetRate());
        var shared = t.sharedPrefix();
        if (shared != null) {
            pipeline = pipeline.sharedPrefix(shared.prompts(), shared.tokens(), shared.share(), shared.blockTokens(),
                    exp.seed());
        }
        this.stream = pipeline.renumber().stream().map(ExperimentTrace::withinClock);
        this.iterator = stream.iterator();
    }

    /**
     * The latest arrival a run takes, 1e18 ns (about 31.7 years after the trace's first request): the run clock is a
     * long of nanoseconds (to about 292 years), and delays, timeouts and intervals of up to 1e12 ms each are added to
     * arrivals (one at 8.5e12 ms with a timeout of 1e12 ms wrapped past it, "time went backwards").
     */
    static final long MAX_ARRIVAL_NANOS = 1_000_000_000_000_000_000L;

    private static TraceRequest withinClock(TraceRequest r) {
        if (r.arrivalNanos() > MAX_ARRIVAL_NANOS) {
            throw new IllegalArgumentException("request " + r.id() + " arrives " + r.arrivalNanos() / 1e9 + " s after "
                    + "the trace's first; a run takes arrivals up to 1e9 s (about 31.7 years), so that the delays and "
                    + "timeouts added to them stay on its clock (trace.transforms.window_s or time_scale shortens it)");
        }
        return r;
    }

    static ExperimentTrace open(Experiment exp) throws IOException {
        return new ExperimentTrace(exp);
    }

    Iterator<TraceRequest> iterator() {
        return iterator;
    }

    private TraceSource source(Experiment exp) {
        if (spec.file() != null) {
            var file = Path.of(spec.file());
            var options = (spec.skipBadRows() ? ReadOptions.skippingBadRows() : ReadOptions.DEFAULT).withZeroTokens(
                    "clamp".equals(spec.zeroTokens()) ? ReadOptions.ZeroTokens.CLAMP_TO_ONE : ReadOptions.ZeroTokens.SKIP);
            return () -> {
                var reader = spec.format().equals("auto") ? Traces.open(file, options)
                        : Traces.open(file, TraceFormat.fromId(spec.format()), options);
                lastReader = reader;
                return reader.stream().onClose(reader::close);
            };
        }
        return TraceSource.of(synthetic(spec.synthetic(), exp.seed()));
    }

    static SyntheticTrace synthetic(SyntheticSpec s, long seed) {
        var trace = SyntheticTrace.of(arrivals(s.arrivals()), lengths("input", s.input()), lengths("output", s.output()),
                s.count(), seed);
        return s.tenants() > 1 ? trace.withTenants(TenantMix.uniform(s.tenants())) : trace;
    }

    /**
     * What a synthetic spec's clamps do to the lengths asked for: a log-normal whose mean after clamping to [min, max]
     * is more than 5% off its {@code mean} (sigma 2: 542 for 800; the lengths were short of the mean without a word).
     */
    static List<String> clampNotes(SyntheticSpec s) {
        var notes = new java.util.ArrayList<String>();
        for (var which : List.of("input", "output")) {
            var m = which.equals("input") ? s.input() : s.output();
            // the defaults' shape cut by a max of the user's (a tiny model's context) is not a mean they asked for
            if (!(lengths(which, m) instanceof Lengths.LogNormal l) || SyntheticSpec.defaultShape(which, m)) continue;
            double asked = new Props("trace.synthetic." + which, m).positive("mean"), clamped = l.clampedMean();
            if (Math.abs(clamped - asked) > 0.05 * asked) {
                notes.add(String.format(java.util.Locale.ROOT, "trace.synthetic.%s: a log-normal of mean %s and sigma "
                        + "%s, clamped to [%d, %d], has a mean of %.0f tokens, not %s (sigma is the log's standard "
                        + "deviation; widen min and max, or lower sigma)", which, m.get("mean"), m.get("sigma"),
                        l.min(), l.max(), clamped, m.get("mean")));
            }
        }
        return notes;
    }

    /** Checks every value of a synthetic spec, naming the YAML key; the spec's constructor calls it at load time. */
    static void check(Map<String, Object> arrivals, Map<String, Object> input, Map<String, Object> output) {
        arrivals(arrivals);
        lengths("input", input);
        lengths("output", output);
    }

    private static Arrivals arrivals(Map<String, Object> m) {
        var p = new Props("trace.synthetic.arrivals", m);
        return switch (p.text("process")) {
            case "poisson" -> new Arrivals.Poisson(p.positive("rate"));
            case "gamma" -> new Arrivals.Gamma(p.positive("rate"), p.within("cv", 0.01, 100));
            case "on-off" -> {
                double on = p.positive("rate_on"), off = p.within("rate_off", 0, Double.MAX_VALUE);
                double meanOn = p.positive("mean_on_s"), meanOff = p.positive("mean_off_s");
                double perCycle = Arrivals.OnOff.arrivalsPerCycle(on, off, meanOn, meanOff);
                if (!(perCycle >= Arrivals.OnOff.MIN_ARRIVALS_PER_CYCLE)) {
                    throw new IllegalArgumentException("trace.synthetic.arrivals: rate_on * mean_on_s + rate_off * "
                            + "mean_off_s must be at least " + Arrivals.OnOff.MIN_ARRIVALS_PER_CYCLE + " arrivals per "
                            + "on-off cycle, was " + perCycle + " (the generator switched periods for ever between "
                            + "arrivals)");
                }
                yield new Arrivals.OnOff(on, off, meanOn, meanOff);
            }
            default -> throw new IllegalArgumentException("trace.synthetic.arrivals.process must be one of poisson, "
                    + "gamma, on-off, was '" + p.text("process") + "'");
        };
    }

    private static Lengths lengths(String which, Map<String, Object> m) {
        var p = new Props("trace.synthetic." + which, m);
        return switch (p.text("dist")) {
            case "fixed" -> new Lengths.Fixed(p.whole("value", 1, Integer.MAX_VALUE));
            case "uniform" -> {
                int min = p.whole("min", 1, Integer.MAX_VALUE);
                yield new Lengths.Uniform(min, p.whole("max", min, Integer.MAX_VALUE));
            }
            case "zipf" -> new Lengths.Zipf(p.positive("s"), p.whole("max", 1, Lengths.Zipf.MAX_SUPPORT));
            case "lognormal" -> {
                int min = p.whole("min", 1, Integer.MAX_VALUE);
                int max = p.whole("max", min, Integer.MAX_VALUE);
                // above 10 (a coefficient of variation of 5e21) the median underflowed: "LogNormal.median must be > 0"
                yield Lengths.LogNormal.ofMean(p.positive("mean"), p.within("sigma", 0, 10), min, max);
            }
            default -> throw new IllegalArgumentException("trace.synthetic." + which + ".dist must be one of fixed, "
                    + "uniform, zipf, lognormal, was '" + p.text("dist") + "'");
        };
    }

    /** Typed access to a YAML mapping, with errors that name the key as the file wrote it. */
    private record Props(String where, Map<String, Object> map) {
        String text(String key) {
            var v = map.get(key);
            if (v == null) throw new IllegalArgumentException(where + "." + key + " is missing");
            return v.toString();
        }

        double number(String key) {
            var v = map.get(key);
            if (v instanceof Number n) return n.doubleValue();
            if (v == null) throw new IllegalArgumentException(where + "." + key + " is missing; keys given: " + map.keySet());
            throw new IllegalArgumentException(where + "." + key + " must be a number, was '" + v + "'"
                    + (v instanceof String ? " (text: write numbers without quotes)" : ""));
        }

        double positive(String key) {
            double v = number(key);
            if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException(where + "." + key + " must be > 0, was " + v);
            return v;
        }

        double within(String key, double min, double max) {
            double v = number(key);
            if (!(v >= min && v <= max)) {
                throw new IllegalArgumentException(where + "." + key + " must be in [" + min + ", " + max + "], was " + v);
            }
            return v;
        }

        int whole(String key, int min, int max) {
            double v = number(key);
            if (v != Math.rint(v)) throw new IllegalArgumentException(where + "." + key + " must be a whole number, was " + v);
            if (v < min || v > max) {
                throw new IllegalArgumentException(where + "." + key + " must be in [" + min + ", " + max + "], was "
                        + (long) v);
            }
            return (int) v;
        }
    }

    /**
     * For run.json: plain JSON values in an order fixed by the code, never a Java map's {@code toString} (whose key
     * order can change from one JVM to the next, so identical runs wrote different run.json files).
     */
    Map<String, Object> describe() {
        var d = new LinkedHashMap<String, Object>();
        if (spec.file() != null) {
            d.put("file", spec.file());
            d.put("format", lastReader != null ? lastReader.format().id() : spec.format());
            d.put("sha256", sha256(Path.of(spec.file())));
            if (lastReader != null) {
                d.put("rows_read", lastReader.requestsRead());
                var skipped = new LinkedHashMap<String, Long>();   // every reason, in the enum's order
                for (var reason : SkipReason.values()) {
                    skipped.put(reason.name().toLowerCase(Locale.ROOT), lastReader.skippedRows().getOrDefault(reason, 0L));
                }
                d.put("rows_skipped", skipped);
                d.put("rows_clamped", lastReader.clampedRows());
            }
        } else {
            d.put("synthetic", spec.synthetic().describe());
        }
        var t = spec.transforms();
        var transforms = new LinkedHashMap<String, Object>();
        transforms.put("window_s", t.windowS());
        transforms.put("first", t.first());
        transforms.put("time_scale", t.timeScale());
        transforms.put("target_rate", t.targetRate());
        transforms.put("shared_prefix", describe(t.sharedPrefix()));
        d.put("transforms", transforms);
        return d;
    }

    private static Map<String, Object> describe(SharedPrefixSpec shared) {
        if (shared == null) return null;
        var d = new LinkedHashMap<String, Object>();
        d.put("prompts", shared.prompts());
        d.put("tokens", shared.tokens());
        d.put("share", shared.share());
        d.put("block_tokens", shared.blockTokens());
        return d;
    }

    private final Map<Path, String> digests = new java.util.HashMap<>();

    private String sha256(Path file) {
        return digests.computeIfAbsent(file, f -> {
            try (InputStream in = new DigestInputStream(Files.newInputStream(f), MessageDigest.getInstance("SHA-256"))) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
                return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
            } catch (IOException | NoSuchAlgorithmException e) {
                return "unreadable: " + e.getMessage();
            }
        });
    }

    @Override
    public void close() {
        stream.close();
    }
}
