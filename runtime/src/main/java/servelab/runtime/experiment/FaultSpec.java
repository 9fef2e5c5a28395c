package servelab.runtime.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import servelab.runtime.cluster.Fault;

/**
 * One entry of an experiment's {@code faults:} list, as written (times in ms on the run's clock). Which keys an
 * entry takes depends on its {@code kind}; {@link #resolve} checks them and turns the list into {@link Fault}s,
 * every error naming the key as written ({@code faults[2].to_ms}).
 *
 * <pre>
 * faults:
 *   - {kind: crash, at_ms: 20000, replica: 1}                      # restarts after its cold start
 *   - {kind: crash, at_ms: 30000, replica: r2, restart: false, warmup_ms: 5000}
 *   - {kind: straggle, from_ms: 0, to_ms: 60000, replica: 0, factor: 4}
 *   - {kind: partition, from_ms: 5000, to_ms: 8000, replica: 3}
 *   - {kind: lost-responses, from_ms: 0, to_ms: 10000, replica: all, probability: 0.05}
 *   - {kind: random, mtbf_s: 600, mean_duration_ms: 20000, kinds: [crash, straggle], to_ms: 3600000, seed: 7}
 * </pre>
 *
 * @param replica        index (0-based) or name ({@code r0}, {@code r1}, ...); {@code all} for lost responses and
 *                       (the default) for random faults
 * @param warmupMs       a crash's warm-up after the model load, ms (default 0)
 * @param mtbfS          random: mean time between failures of each replica, seconds (exponential gaps)
 * @param meanDurationMs random: mean duration of a fault, ms (exponential); a crash lasts its cold start
 * @param kinds          random: the kinds drawn from, uniformly (default crash, straggle, partition)
 * @param seed           random: seed of the draws (default: the experiment's seed)
 */
public record FaultSpec(String kind, Double atMs, Double fromMs, Double toMs, Object replica, Double factor,
                        Double probability, Boolean restart, Double warmupMs, Double mtbfS, Double meanDurationMs,
                        List<String> kinds, Long seed) {

    /** The keys each kind takes (beyond {@code kind}); any other key is refused. */
    static final Map<String, List<String>> KEYS = keys();

    /** The largest straggle factor: a step a thousand times as long is a replica that has all but stopped. */
    static final double MAX_FACTOR = 1000;

    /**
     * A straggle factor, in [1, {@link #MAX_FACTOR}]: with no upper bound, a factor of 1e300 made a 20-request run
     * write time series until the disk was full (the step that starts inside the window runs factor x as long).
     */
    private static double factor(String key, double f) {
        if (!(f >= 1 && f <= MAX_FACTOR)) {
            throw new IllegalArgumentException(key + ".factor must be in [1, " + (int) MAX_FACTOR
                    + "] (steps take factor x as long), was " + f);
        }
        return f;
    }

    private static Map<String, List<String>> keys() {
        var keys = new LinkedHashMap<String, List<String>>();
        keys.put("crash", List.of("at_ms", "replica", "restart", "warmup_ms"));
        keys.put("straggle", List.of("from_ms", "to_ms", "replica", "factor"));
        keys.put("partition", List.of("from_ms", "to_ms", "replica"));
        keys.put("lost-responses", List.of("from_ms", "to_ms", "replica", "probability"));
        keys.put("random", List.of("from_ms", "to_ms", "replica", "mtbf_s", "mean_duration_ms", "kinds", "seed",
                "factor", "probability", "warmup_ms"));
        return Map.copyOf(keys);
    }

    /**
     * The faults of {@code specs} on a cluster of {@code replicas}, random entries expanded; checked: known kinds
     * and keys, existing replicas, times &gt;= 0 with {@code to_ms} after {@code from_ms}, and no two faults of one
     * kind on one replica at once.
     */
    public static List<Fault> resolve(List<FaultSpec> specs, int replicas, long experimentSeed) {
        var faults = new ArrayList<Fault>();
        var origin = new ArrayList<String>(); // the key each fault came from, for overlap errors
        for (int i = 0; i < specs.size(); i++) {
            String key = "faults[" + i + "]";
            var spec = specs.get(i);
            if (spec == null) throw new IllegalArgumentException(key + " is empty; give at least kind");
            var made = spec.resolve(key, replicas, experimentSeed);
            for (var fault : made) {
                checkOverlap(fault, key, faults, origin);
                faults.add(fault);
                origin.add(key);
            }
        }
        return List.copyOf(faults);
    }

    private List<Fault> resolve(String key, int replicas, long experimentSeed) {
        if (kind == null) throw new IllegalArgumentException(key + ".kind is missing; accepted: " + kindNames());
        var accepted = KEYS.get(kind);
        if (accepted == null) {
            throw new IllegalArgumentException(key + ".kind '" + kind + "' is unknown; accepted: " + kindNames());
        }
        for (var given : given().entrySet()) {
            if (given.getValue() != null && !accepted.contains(given.getKey())) {
                throw new IllegalArgumentException(key + "." + given.getKey() + " does not apply to kind " + kind
                        + "; accepted there: kind, " + String.join(", ", accepted));
            }
        }
        return switch (kind) {
            case "crash" -> List.of(new Fault.Crash(nanos(key + ".at_ms", required(key + ".at_ms", atMs)),
                    one(key, replicas), restart == null || restart, warmup(key)));
            case "straggle" -> {
                double f = factor(key, required(key + ".factor", factor));
                long[] t = interval(key, true);
                yield List.of(new Fault.Straggle(t[0], t[1], one(key, replicas), f));
            }
            case "partition" -> {
                long[] t = interval(key, true);
                yield List.of(new Fault.Partition(t[0], t[1], one(key, replicas)));
            }
            case "lost-responses" -> {
                long[] t = interval(key, true);
                yield List.of(new Fault.LostResponses(t[0], t[1], target(key, replicas, false),
                        probability(key, required(key + ".probability", probability))));
            }
            case "random" -> random(key, replicas, experimentSeed);
            default -> throw new IllegalStateException(kind); // KEYS holds exactly the kinds above
        };
    }

    private static String kindNames() {
        return String.join(", ", KEYS.keySet().stream().sorted().toList());
    }

    private Map<String, Object> given() {
        var m = new LinkedHashMap<String, Object>();
        m.put("at_ms", atMs);
        m.put("from_ms", fromMs);
        m.put("to_ms", toMs);
        m.put("replica", replica);
        m.put("factor", factor);
        m.put("probability", probability);
        m.put("restart", restart);
        m.put("warmup_ms", warmupMs);
        m.put("mtbf_s", mtbfS);
        m.put("mean_duration_ms", meanDurationMs);
        m.put("kinds", kinds);
        m.put("seed", seed);
        return m;
    }

    /** [from, to) in nanoseconds; {@code to_ms} must be after {@code from_ms} (from defaults to 0 if allowed). */
    private long[] interval(String key, boolean fromRequired) {
        double from = fromRequired ? required(key + ".from_ms", fromMs) : fromMs == null ? 0 : fromMs;
        double to = required(key + ".to_ms", toMs);
        long start = nanos(key + ".from_ms", from);
        long end = nanos(key + ".to_ms", to);
        if (end <= start) {
            throw new IllegalArgumentException(key + ".to_ms must be after from_ms (" + from + "), was " + to);
        }
        return new long[] {start, end};
    }

    private long warmup(String key) {
        return warmupMs == null ? 0 : nanos(key + ".warmup_ms", warmupMs);
    }

    private static double required(String key, Double value) {
        if (value == null) throw new IllegalArgumentException(key + " is missing");
        return value;
    }

    private static double probability(String key, double p) {
        if (!(p > 0 && p <= 1)) throw new IllegalArgumentException(key + ".probability must be in (0, 1], was " + p);
        return p;
    }

    private static long nanos(String key, double ms) {
        if (!(ms >= 0) || ms > AutoscalingSpec.MAX_MS) { // 1e13 ms overflowed the clock: "time went backwards"
            throw new IllegalArgumentException(key + " must be in [0, 1e12] ms, was " + ms);
        }
        return Math.round(ms * 1e6);
    }

    private int one(String key, int replicas) {
        int r = target(key, replicas, false);
        if (r == Fault.ALL) {
            throw new IllegalArgumentException(key + ".replica 'all' is accepted only by lost-responses and random; "
                    + "name one replica");
        }
        return r;
    }

    /** The replica index named by {@code replica}: an index, {@code rN}, or {@code all} ({@link Fault#ALL}). */
    private int target(String key, int replicas, boolean allByDefault) {
        if (replica == null) {
            if (allByDefault) return Fault.ALL;
            throw new IllegalArgumentException(key + ".replica is missing; give an index (0 to " + (replicas - 1)
                    + ") or a name (r0 to r" + (replicas - 1) + ")");
        }
        int index;
        if (replica instanceof Integer n) {
            index = n;
        } else if (replica instanceof String name && name.equals("all")) {
            return Fault.ALL;
        } else if (replica instanceof String name && name.matches("r\\d{1,9}")) {
            index = Integer.parseInt(name.substring(1));
        } else {
            throw new IllegalArgumentException(key + ".replica must be a replica index or name (r0, r1, ...), was '"
                    + replica + "'");
        }
        if (index < 0 || index >= replicas) {
            throw new IllegalArgumentException(key + ".replica " + replica + " does not exist; the cluster has "
                    + replicas + " replica" + (replicas == 1 ? "" : "s") + " (0 to " + (replicas - 1) + ")");
        }
        return index;
    }

    /**
     * Each targeted replica fails after exponential gaps of mean {@code mtbf_s}; each failure is a kind drawn from
     * {@code kinds} and lasts an exponential time of mean {@code mean_duration_ms}; the next gap starts when it ends,
     * so one replica's faults never overlap. Replicas are drawn in index order from one seeded generator.
     */
    private List<Fault> random(String key, int replicas, long experimentSeed) {
        long[] window = interval(key, false);
        double mtbf = required(key + ".mtbf_s", mtbfS);
        if (!(mtbf > 0) || mtbf * 1000 > AutoscalingSpec.MAX_MS) { // times stay in a long of ns
            throw new IllegalArgumentException(key + ".mtbf_s must be in (0, 1e9] s, was " + mtbf);
        }
        double meanMs = required(key + ".mean_duration_ms", meanDurationMs);
        if (!(meanMs > 0) || meanMs > AutoscalingSpec.MAX_MS) { // 1e13 overflowed a fault's start
            throw new IllegalArgumentException(key + ".mean_duration_ms must be in (0, 1e12] ms, was " + meanMs);
        }
        var drawn = kinds == null ? List.of("crash", "straggle", "partition") : kinds;
        if (drawn.isEmpty()) throw new IllegalArgumentException(key + ".kinds is empty; name at least one kind");
        for (int k = 0; k < drawn.size(); k++) {
            if (!KEYS.containsKey(drawn.get(k)) || drawn.get(k).equals("random")) {
                throw new IllegalArgumentException(key + ".kinds[" + k + "] '" + drawn.get(k) + "' is unknown; accepted: "
                        + "crash, lost-responses, partition, straggle");
            }
        }
        double f = factor(key, factor == null ? 4.0 : factor);
        double p = probability == null ? 1.0 : probability(key, probability);
        int only = target(key, replicas, true);
        var rng = new SplittableRandom(seed == null ? experimentSeed : seed);
        var out = new ArrayList<Fault>();
        for (int r = 0; r < replicas; r++) {
            if (only != Fault.ALL && r != only) continue;
            long t = window[0];
            while (true) {
                t += exponentialNanos(rng, mtbf * 1e9);
                if (t >= window[1]) break;
                String k = drawn.get(rng.nextInt(drawn.size()));
                long end = Math.min(window[1], t + Math.max(1, exponentialNanos(rng, meanMs * 1e6)));
                out.add(switch (k) {
                    case "crash" -> new Fault.Crash(t, r, true, warmup(key));
                    case "straggle" -> new Fault.Straggle(t, end, r, f);
                    case "partition" -> new Fault.Partition(t, end, r);
                    default -> new Fault.LostResponses(t, end, r, p);
                });
                t = end;
            }
        }
        out.sort(java.util.Comparator.comparingLong(Fault::startNanos).thenComparingInt(Fault::replica));
        return out;
    }

    private static long exponentialNanos(SplittableRandom rng, double meanNanos) {
        return Math.round(Math.min(1e18, -meanNanos * Math.log(1 - rng.nextDouble()))); // a gap past 1e12 ms is "never"
    }

    private static void checkOverlap(Fault fault, String key, List<Fault> earlier, List<String> origin) {
        for (int j = 0; j < earlier.size(); j++) {
            var other = earlier.get(j);
            if (!other.kind().equals(fault.kind())) continue;
            boolean sameReplica = other.replica() == fault.replica() || other.replica() == Fault.ALL
                    || fault.replica() == Fault.ALL;
            if (!sameReplica) continue;
            boolean overlap = fault instanceof Fault.Crash ? other.startNanos() == fault.startNanos()
                    : fault.startNanos() < other.endNanos() && other.startNanos() < fault.endNanos();
            if (overlap) {
                throw new IllegalArgumentException(key + " (" + fault.describe() + ") overlaps " + origin.get(j)
                        + " (" + other.describe() + "); faults of one kind on one replica must not overlap");
            }
        }
    }
}
