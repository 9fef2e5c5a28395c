package servelab.runtime.experiment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A synthetic workload.
 *
 * @param count    requests
 * @param arrivals {@code process}: poisson (rate) | gamma (rate, cv) | on-off (rate_on, rate_off, mean_on_s,
 *                 mean_off_s); rates in requests per second
 * @param input    prompt lengths: {@code dist}: fixed (value) | uniform (min, max) | zipf (s, max) | lognormal
 *                 (mean, sigma, min, max)
 * @param output   output lengths, same form
 * @param tenants  number of tenants requests are spread over uniformly
 */
public record SyntheticSpec(Integer count, Map<String, Object> arrivals, Map<String, Object> input,
                            Map<String, Object> output, Integer tenants) {
    /** The most tenants a synthetic trace spreads requests over (more than requests is allowed: some get none). */
    public static final int MAX_TENANTS = 1_000_000;

    /** The keys each arrival process and each length distribution reads; any other key is a typo. */
    private static final Map<String, List<String>> ARRIVAL_KEYS = Map.of("poisson", List.of("rate"),
            "gamma", List.of("rate", "cv"), "on-off", List.of("rate_on", "rate_off", "mean_on_s", "mean_off_s"));
    private static final Map<String, List<String>> LENGTH_KEYS = Map.of("fixed", List.of("value"),
            "uniform", List.of("min", "max"), "zipf", List.of("s", "max"),
            "lognormal", List.of("mean", "sigma", "min", "max"));
    private static final Map<String, Object> DEFAULT_ARRIVALS = Map.of("process", "poisson", "rate", 6.0);
    private static final Map<String, Object> DEFAULT_INPUT =
            Map.of("dist", "lognormal", "mean", 800, "sigma", 0.9, "min", 16, "max", 6144);
    private static final Map<String, Object> DEFAULT_OUTPUT =
            Map.of("dist", "lognormal", "mean", 220, "sigma", 0.8, "min", 4, "max", 2048);
    public static final SyntheticSpec DEMO = new SyntheticSpec(600, null, null, null, 1);

    /** Missing parts take the demo's values: 600 requests, Poisson at 6 req/s, log-normal lengths. */
    public SyntheticSpec {
        count = count == null ? 600 : count;
        if (count < 1) throw new IllegalArgumentException("trace.synthetic.count must be >= 1, was " + count);
        arrivals = withDefaults(arrivals, DEFAULT_ARRIVALS, "process");
        var givenInput = input;
        var givenOutput = output;
        input = withDefaults(input, DEFAULT_INPUT, "dist");
        output = withDefaults(output, DEFAULT_OUTPUT, "dist");
        requireReachableMean("input", givenInput, input);
        requireReachableMean("output", givenOutput, output);
        requireKnownKeys("trace.synthetic.arrivals", arrivals, "process", ARRIVAL_KEYS);
        requireKnownKeys("trace.synthetic.input", input, "dist", LENGTH_KEYS);
        requireKnownKeys("trace.synthetic.output", output, "dist", LENGTH_KEYS);
        tenants = tenants == null ? 1 : tenants;
        if (tenants < 1) throw new IllegalArgumentException("trace.synthetic.tenants must be >= 1, was " + tenants);
        if (tenants > MAX_TENANTS) { // 2^31 tenants' names were made before the first request (minutes, or out of memory)
            throw new IllegalArgumentException("trace.synthetic.tenants must be 1.." + MAX_TENANTS + ", was " + tenants);
        }
        ExperimentTrace.check(arrivals, input, output); // the parameters: fields are set after this body
    }

    /**
     * A log-normal {@code mean} the user gave must lie in [min, max], which every draw is clamped to: with the
     * defaults' bounds, mean 10 averaged 16.6 (every request at least 16) and mean 3000 averaged 1,894, without a word.
     */
    private static void requireReachableMean(String which, Map<String, Object> given, Map<String, Object> merged) {
        if (given == null || !given.containsKey("mean") || !"lognormal".equals(merged.get("dist"))) return;
        if (!(merged.get("mean") instanceof Number mean) || !(merged.get("min") instanceof Number min)
                || !(merged.get("max") instanceof Number max)) {
            return; // wrong types are refused, naming the key, by the check after this
        }
        if (mean.doubleValue() < min.doubleValue() || mean.doubleValue() > max.doubleValue()) {
            throw new IllegalArgumentException("trace.synthetic." + which + ".mean " + merged.get("mean") + " is outside ["
                    + merged.get("min") + ", " + merged.get("max") + "], the range every draw is clamped to (min and "
                    + "max are the defaults, " + DEFAULTS.get(which).get("min") + " and " + DEFAULTS.get(which).get("max")
                    + ", when not given): no sample can have that mean");
        }
    }

    private static final Map<String, Map<String, Object>> DEFAULTS = Map.of("input", DEFAULT_INPUT, "output", DEFAULT_OUTPUT);

    /** Whether {@code merged} has the defaults' log-normal shape (mean and sigma), whatever its bounds. */
    static boolean defaultShape(String which, Map<String, Object> merged) {
        var d = DEFAULTS.get(which);
        return d.get("dist").equals(merged.get("dist")) && d.get("mean").equals(merged.get("mean"))
                && d.get("sigma").equals(merged.get("sigma"));
    }

    /** Refuses keys the chosen process or distribution does not read ({@code meen}, {@code cv} on poisson). */
    private static void requireKnownKeys(String where, Map<String, Object> given, String kindKey,
                                         Map<String, List<String>> keysByKind) {
        var kind = String.valueOf(given.get(kindKey));
        var accepted = keysByKind.get(kind);
        if (accepted == null) {
            throw new IllegalArgumentException(where + "." + kindKey + " must be one of "
                    + String.join(", ", keysByKind.keySet().stream().sorted().toList()) + ", was '" + kind + "'");
        }
        for (var key : given.keySet().stream().sorted().toList()) {
            if (!key.equals(kindKey) && !accepted.contains(key)) {
                throw new IllegalArgumentException("unknown key " + where + "." + key + " for " + kindKey + " "
                        + kind + "; accepted there: " + kindKey + ", " + String.join(", ", accepted));
            }
        }
    }

    /**
     * For run.json: the workload with its defaults filled in; in each map the kind ({@code process}, {@code dist})
     * comes first and the other keys follow sorted, since the maps' own order changes from one JVM to the next.
     */
    public Map<String, Object> describe() {
        var d = new LinkedHashMap<String, Object>();
        d.put("count", count);
        d.put("arrivals", ordered(arrivals, "process"));
        d.put("input", ordered(input, "dist"));
        d.put("output", ordered(output, "dist"));
        d.put("tenants", tenants);
        return d;
    }

    private static Map<String, Object> ordered(Map<String, Object> map, String kindKey) {
        var ordered = new LinkedHashMap<String, Object>();
        ordered.put(kindKey, map.get(kindKey));
        map.keySet().stream().filter(k -> !k.equals(kindKey)).sorted().forEach(k -> ordered.put(k, map.get(k)));
        return ordered;
    }

    /** Given keys over the defaults, unless the given map names another distribution (then only its keys). */
    private static Map<String, Object> withDefaults(Map<String, Object> given, Map<String, Object> defaults,
                                                    String kindKey) {
        if (given == null) return defaults;
        var kind = given.get(kindKey);
        if (kind != null && !kind.equals(defaults.get(kindKey))) return Map.copyOf(given);
        var merged = new LinkedHashMap<>(defaults);
        merged.putAll(given);
        return Map.copyOf(merged);
    }
}
