package servelab.runtime.record;

import java.util.Arrays;
import java.util.Objects;

/**
 * One finished (or failed) request. Times are nanoseconds on the run clock; -1 = never reached (failed/rejected).
 *
 * <p>Counts an importer cannot know (a vLLM result has no cached-prefix or preemption counts) are -1 as well;
 * the engine always knows them and passes values &gt;= 0. Both kinds of -1 are written as null.
 *
 * @param requestId          the trace request id, &gt;= 0
 * @param replica            replica that served it, -1 if it was never routed
 * @param tenant             user, session or tenant; never null
 * @param priority           smaller is more urgent
 * @param arrivalNanos       arrival at the testbed, &gt;= 0
 * @param firstScheduledNanos first time a step included it
 * @param firstTokenNanos    when its first output token was produced
 * @param completionNanos    when it finished; -1 for a failed request
 * @param inputTokens        prompt tokens
 * @param outputTokens       output tokens produced (for a failed request: produced before it failed)
 * @param cachedPrefixTokens prompt tokens served from the prefix cache at first schedule
 * @param preemptions        times it was preempted
 * @param tokenTimesNanos    time each output token was produced, length {@code outputTokens}; or empty when
 *                           per-token times were not recorded (importers of tools that lack them)
 * @param specDrafts         speculative drafts proposed for it
 * @param specDraftTokens    draft tokens proposed
 * @param specAcceptedTokens draft tokens accepted, at most {@code specDraftTokens}
 * @param error              {@code ""} when the request succeeded, else why it failed
 * @param cluster            what the cluster's front did with it (router arrival, routing time, degradation)
 * @param gateway            how it ended and what it cost: outcome, attempts, hedges, wasted tokens
 */
public record RequestRow(long requestId, int replica, String tenant, int priority, long arrivalNanos,
                         long firstScheduledNanos, long firstTokenNanos, long completionNanos, int inputTokens,
                         int outputTokens, int cachedPrefixTokens, int preemptions, long[] tokenTimesNanos,
                         int specDrafts, int specDraftTokens, int specAcceptedTokens, String error,
                         ClusterFields cluster, GatewayFields gateway) {

    /** Prefix of the {@code error} of a request admission refused (RESULTS-SCHEMA: terminal state). */
    public static final String REJECTED_PREFIX = "rejected by admission ";

    /** The closed set of ways a request ends; each trace request ends exactly once, in one of them. */
    public enum Outcome {
        COMPLETED, REJECTED, TIMED_OUT, FAILED,
        /** Ended early by the serving front (client gone, server stopping); not a trace replay's outcome. */
        CANCELLED;

        /** The {@code outcome} column's value: {@code completed}, {@code rejected}, {@code timed_out}, ... */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The outcome an {@code error} value implies, for rows no gateway ended (one replica, imported runs). */
        public static Outcome ofError(String error) {
            if (error.isEmpty()) return COMPLETED;
            if (error.startsWith(REJECTED_PREFIX)) return REJECTED;
            if (error.startsWith("cancelled: ")) return CANCELLED;
            return FAILED;
        }
    }

    /**
     * The gateway's part of a request row: how the request ended and what it cost.
     *
     * @param outcome      how it ended
     * @param attempts     attempts sent (the first and each retry; hedged copies not counted), -1 when unknown
     * @param hedges       hedged copies sent, -1 when unknown
     * @param wastedTokens tokens computed for it and thrown away (hedge losers, crashed, timed-out or cancelled
     *                     attempts, answers lost after they were computed), -1 when unknown
     * @param endedNanos   when the client knew how it ended (its completion at the client, or when its error did),
     *                     -1 when unknown
     */
    public record GatewayFields(Outcome outcome, int attempts, int hedges, long wastedTokens, long endedNanos) {
        public GatewayFields {
            Objects.requireNonNull(outcome, "RequestRow.gateway.outcome");
            if (attempts < -1 || hedges < -1 || wastedTokens < -1 || endedNanos < -1) {
                throw new IllegalArgumentException("RequestRow.gateway counts and time must be >= 0 (or -1: unknown),"
                        + " were " + attempts + ", " + hedges + ", " + wastedTokens + ", " + endedNanos);
            }
        }

        /** The fields before the client heard the outcome (no end time yet). */
        public GatewayFields(Outcome outcome, int attempts, int hedges, long wastedTokens) {
            this(outcome, attempts, hedges, wastedTokens, -1);
        }

        /** These fields, with the time the client knew the outcome. */
        public GatewayFields endedAt(long nanos) {
            return new GatewayFields(outcome, attempts, hedges, wastedTokens, nanos);
        }

        /** A row no gateway ended: the outcome its error implies, the counts unknown. */
        public static GatewayFields unknown(String error) {
            return new GatewayFields(Outcome.ofError(error), -1, -1, -1);
        }
    }

    /** This row with the gateway's fields. */
    public RequestRow withGateway(GatewayFields fields) {
        return new RequestRow(requestId, replica, tenant, priority, arrivalNanos, firstScheduledNanos,
                firstTokenNanos, completionNanos, inputTokens, outputTokens, cachedPrefixTokens, preemptions,
                tokenTimesNanos, specDrafts, specDraftTokens, specAcceptedTokens, error, cluster, fields);
    }

    /** A row the gateway did not end (its outcome follows from {@code error}). */
    public RequestRow(long requestId, int replica, String tenant, int priority, long arrivalNanos,
                      long firstScheduledNanos, long firstTokenNanos, long completionNanos, int inputTokens,
                      int outputTokens, int cachedPrefixTokens, int preemptions, long[] tokenTimesNanos,
                      int specDrafts, int specDraftTokens, int specAcceptedTokens, String error,
                      ClusterFields cluster) {
        this(requestId, replica, tenant, priority, arrivalNanos, firstScheduledNanos, firstTokenNanos,
                completionNanos, inputTokens, outputTokens, cachedPrefixTokens, preemptions, tokenTimesNanos,
                specDrafts, specDraftTokens, specAcceptedTokens, error, cluster,
                GatewayFields.unknown(Objects.requireNonNull(error, "RequestRow.error")));
    }

    /**
     * The cluster front's part of a request row; all -1 (null in the file) where no router saw the request.
     *
     * @param routerArrivalNanos when it reached the router (arrival plus the client-to-router delay)
     * @param routedNanos        when the router sent it on (or rejected it)
     * @param routerCpuNanos     measured wall time of the admission and routing calls (0 unless
     *                           {@code record.router_cpu} is on: a measured time makes runs differ)
     * @param degradedReason     why admission served it degraded (capped output or another group); {@code ""} when
     *                           it did not
     */
    public record ClusterFields(long routerArrivalNanos, long routedNanos, long routerCpuNanos, String degradedReason) {
        public static final ClusterFields NONE = new ClusterFields(-1, -1, 0, "");

        public ClusterFields {
            Objects.requireNonNull(degradedReason, "RequestRow.cluster.degradedReason");
            if (routedNanos >= 0 && routedNanos < routerArrivalNanos) {
                throw new IllegalArgumentException("RequestRow.cluster.routedNanos must be >= routerArrivalNanos ("
                        + routerArrivalNanos + "), was " + routedNanos);
            }
            if (routerCpuNanos < 0) {
                throw new IllegalArgumentException("RequestRow.cluster.routerCpuNanos must be >= 0, was " + routerCpuNanos);
            }
        }

        public boolean degraded() {
            return !degradedReason.isEmpty();
        }

        /** Time spent at the router before being sent on, ms; NaN when not routed. */
        public double routerQueueMs() {
            return routedNanos < 0 || routerArrivalNanos < 0 ? Double.NaN : (routedNanos - routerArrivalNanos) / 1e6;
        }
    }

    /** A row without cluster information (one replica driven directly, or an importer). */
    public RequestRow(long requestId, int replica, String tenant, int priority, long arrivalNanos,
                      long firstScheduledNanos, long firstTokenNanos, long completionNanos, int inputTokens,
                      int outputTokens, int cachedPrefixTokens, int preemptions, long[] tokenTimesNanos,
                      int specDrafts, int specDraftTokens, int specAcceptedTokens, String error) {
        this(requestId, replica, tenant, priority, arrivalNanos, firstScheduledNanos, firstTokenNanos,
                completionNanos, inputTokens, outputTokens, cachedPrefixTokens, preemptions, tokenTimesNanos,
                specDrafts, specDraftTokens, specAcceptedTokens, error, ClusterFields.NONE);
    }

    /**
     * This row as the client sees it: token and completion times later by {@code returnNanos} (the replica-to-client
     * delay), with the cluster front's fields.
     */
    public RequestRow atClient(long returnNanos, ClusterFields fields) {
        long[] times = tokenTimesNanos;
        if (returnNanos != 0 && times.length > 0) {
            times = times.clone();
            for (int i = 0; i < times.length; i++) times[i] += returnNanos;
        }
        return new RequestRow(requestId, replica, tenant, priority, arrivalNanos, firstScheduledNanos,
                later(firstTokenNanos, returnNanos), later(completionNanos, returnNanos), inputTokens, outputTokens,
                cachedPrefixTokens, preemptions, times, specDrafts, specDraftTokens, specAcceptedTokens, error, fields,
                gateway);
    }

    /**
     * This row as its client gets it from the router's store at {@code nanos}: the whole answer at once, every token
     * (produced earlier, by a copy whose own answer was lost) arriving then. It had the copy's token times moved
     * later by the time in the store, so its first token came before the copy that delivered it was even sent.
     */
    public RequestRow deliveredWholeAt(long nanos, ClusterFields fields) {
        long[] times = tokenTimesNanos.clone();
        Arrays.fill(times, nanos);
        return new RequestRow(requestId, replica, tenant, priority, arrivalNanos, firstScheduledNanos,
                firstTokenNanos < 0 ? firstTokenNanos : nanos, completionNanos < 0 ? completionNanos : nanos, inputTokens,
                outputTokens, cachedPrefixTokens, preemptions, times, specDrafts, specDraftTokens, specAcceptedTokens,
                error, fields, gateway);
    }

    private static long later(long nanos, long by) {
        return nanos < 0 ? nanos : nanos + by;
    }

    public RequestRow {
        Objects.requireNonNull(cluster, "RequestRow.cluster");
        Objects.requireNonNull(gateway, "RequestRow.gateway");
        Objects.requireNonNull(tenant, "RequestRow.tenant");
        Objects.requireNonNull(tokenTimesNanos, "RequestRow.tokenTimesNanos");
        Objects.requireNonNull(error, "RequestRow.error");
        atLeast("requestId", requestId, 0);
        atLeast("replica", replica, -1);
        atLeast("arrivalNanos", arrivalNanos, 0);
        reachedAfter("firstScheduledNanos", firstScheduledNanos, arrivalNanos);
        reachedAfter("firstTokenNanos", firstTokenNanos, Math.max(arrivalNanos, firstScheduledNanos));
        reachedAfter("completionNanos", completionNanos,
                Math.max(arrivalNanos, Math.max(firstScheduledNanos, firstTokenNanos)));
        atLeast("inputTokens", inputTokens, 0);
        atLeast("outputTokens", outputTokens, 0);
        atLeast("cachedPrefixTokens", cachedPrefixTokens, -1);
        atLeast("preemptions", preemptions, -1);
        atLeast("specDrafts", specDrafts, -1);
        atLeast("specDraftTokens", specDraftTokens, -1);
        atLeast("specAcceptedTokens", specAcceptedTokens, -1);
        if (specDraftTokens >= 0 && specAcceptedTokens > specDraftTokens) {
            throw new IllegalArgumentException("RequestRow.specAcceptedTokens must be <= specDraftTokens ("
                    + specDraftTokens + "), was " + specAcceptedTokens + " (request " + requestId + ")");
        }
        if (error.isEmpty() && completionNanos < 0) {
            throw new IllegalArgumentException("RequestRow.completionNanos must be >= 0 for a request without"
                    + " error, was " + completionNanos + " (request " + requestId + ")");
        }
        if (error.isEmpty() && outputTokens > 0 && firstTokenNanos < 0) {
            throw new IllegalArgumentException("RequestRow.firstTokenNanos must be >= 0 for a request without"
                    + " error that produced " + outputTokens + " tokens, was " + firstTokenNanos
                    + " (request " + requestId + ")");
        }
        checkTokenTimes(requestId, tokenTimesNanos, outputTokens);
    }

    /** Whether the request finished without error. */
    public boolean isOk() {
        return error.isEmpty();
    }

    private static void checkTokenTimes(long requestId, long[] times, int outputTokens) {
        if (times.length != 0 && times.length != outputTokens) {
            throw new IllegalArgumentException("RequestRow.tokenTimesNanos must have outputTokens (" + outputTokens
                    + ") entries, or none when not recorded; had " + times.length + " (request " + requestId + ")");
        }
        // O(outputTokens) per request: a few million comparisons for a whole run, and it catches clock mix-ups early
        for (int i = 1; i < times.length; i++) {
            if (times[i] < times[i - 1]) {
                throw new IllegalArgumentException("RequestRow.tokenTimesNanos must not decrease, but token " + i
                        + " at " + times[i] + " ns is before token " + (i - 1) + " at " + times[i - 1]
                        + " ns (request " + requestId + ")");
            }
        }
    }

    private static void atLeast(String field, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException("RequestRow." + field + " must be >= " + min + ", was " + value);
        }
    }

    /** A time is -1 (never reached) or not before the latest earlier milestone (arrival, scheduled, first token). */
    private static void reachedAfter(String field, long value, long earlierValue) {
        if (value == -1) return;
        if (value < earlierValue) {
            throw new IllegalArgumentException("RequestRow." + field + " must be -1 (never reached) or >= the"
                    + " latest earlier milestone (" + earlierValue + " ns), was " + value);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestRow r && r.requestId == requestId && r.replica == replica
                && r.tenant.equals(tenant) && r.priority == priority && r.arrivalNanos == arrivalNanos
                && r.firstScheduledNanos == firstScheduledNanos && r.firstTokenNanos == firstTokenNanos
                && r.completionNanos == completionNanos && r.inputTokens == inputTokens
                && r.outputTokens == outputTokens && r.cachedPrefixTokens == cachedPrefixTokens
                && r.preemptions == preemptions && Arrays.equals(r.tokenTimesNanos, tokenTimesNanos)
                && r.specDrafts == specDrafts && r.specDraftTokens == specDraftTokens
                && r.specAcceptedTokens == specAcceptedTokens && r.error.equals(error) && r.cluster.equals(cluster)
                && r.gateway.equals(gateway);
    }

    @Override
    public int hashCode() {
        return Objects.hash(requestId, replica, tenant, priority, arrivalNanos, firstScheduledNanos, firstTokenNanos,
                completionNanos, inputTokens, outputTokens, cachedPrefixTokens, preemptions,
                Arrays.hashCode(tokenTimesNanos), specDrafts, specDraftTokens, specAcceptedTokens, error, cluster, gateway);
    }

    @Override
    public String toString() {
        return "RequestRow[id=" + requestId + ", replica=" + replica + ", tenant=" + tenant + ", arrival="
                + arrivalNanos + ", firstScheduled=" + firstScheduledNanos + ", firstToken=" + firstTokenNanos
                + ", completion=" + completionNanos + ", input=" + inputTokens + ", output=" + outputTokens
                + ", cached=" + cachedPrefixTokens + ", preemptions=" + preemptions + ", tokenTimes="
                + tokenTimesNanos.length + ", error=" + error + ", " + gateway + "]";
    }
}
