package servelab.runtime.record;

import static servelab.runtime.record.Column.bool;
import static servelab.runtime.record.Column.boolNotNull;
import static servelab.runtime.record.Column.float64;
import static servelab.runtime.record.Column.float64List;
import static servelab.runtime.record.Column.float64OrNull;
import static servelab.runtime.record.Column.int32;
import static servelab.runtime.record.Column.int32OrNull;
import static servelab.runtime.record.Column.int64;
import static servelab.runtime.record.Column.int64ListOrNull;
import static servelab.runtime.record.Column.int64OrNull;
import static servelab.runtime.record.Column.utf8;

import java.util.List;

/**
 * The columns of each result table, in file order. runtime/RESULTS-SCHEMA.md documents every one; change both
 * together (and {@link ResultTable#SCHEMA_VERSION} when a column changes meaning or type). Each list is made once, so
 * every writer of a table shares one generated {@link RowWriter} and its compiled code.
 */
final class TableColumns {

    /** A request row and its derived metrics: one row of requests.arrow. */
    record RequestEntry(RequestRow row, RequestMetrics metrics) {
    }

    private TableColumns() {
    }

    /**
     * Columns added at the end of a table after its schema version was fixed: files written before them lack them,
     * and readers accept that ({@code Table.has} tells).
     */
    static final java.util.Set<String> ADDED_IN_VERSION_1 = java.util.Set.of("kv_host_blocks_total",
            "kv_host_blocks_used", "kv_host_blocks_cached", "swap_out_blocks", "swap_in_blocks", "offloaded_blocks",
            "reloaded_blocks", "spec_drafts", "spec_draft_tokens", "spec_accepted_tokens", "spec_drafted_by_position",
            "spec_accepted_by_position", "router_arrival_ns", "routed_ns", "router_queue_ms", "router_cpu_ns",
            "degraded", "degraded_reason", "outcome", "attempts", "hedges", "wasted_tokens", "ended_ns");

    static List<Column<RequestEntry>> requests() {
        return REQUESTS;
    }

    private static final List<Column<RequestEntry>> REQUESTS = List.of(
            int64("request_id", e -> e.row().requestId()),
            int32OrNull("replica", e -> e.row().replica()),
            utf8("tenant", e -> e.row().tenant()),
            int32("priority", e -> e.row().priority()),
            int64("arrival_ns", e -> e.row().arrivalNanos()),
            int64OrNull("first_scheduled_ns", e -> e.row().firstScheduledNanos()),
            int64OrNull("first_token_ns", e -> e.row().firstTokenNanos()),
            int64OrNull("completion_ns", e -> e.row().completionNanos()),
            int32("input_tokens", e -> e.row().inputTokens()),
            int32("output_tokens", e -> e.row().outputTokens()),
            int32OrNull("cached_prefix_tokens", e -> e.row().cachedPrefixTokens()),
            int32OrNull("preemptions", e -> e.row().preemptions()),
            int64ListOrNull("token_times_ns", e -> e.row().tokenTimesNanos()),
            int32OrNull("spec_drafts", e -> e.row().specDrafts()),
            int32OrNull("spec_draft_tokens", e -> e.row().specDraftTokens()),
            int32OrNull("spec_accepted_tokens", e -> e.row().specAcceptedTokens()),
            utf8("error", e -> e.row().error()),
            float64OrNull("ttft_ms", e -> e.metrics().ttftMs()),
            float64OrNull("tpot_ms", e -> e.metrics().tpotMs()),
            float64OrNull("e2el_ms", e -> e.metrics().e2elMs()),
            float64List("itl_ms", e -> e.metrics().itlMs()),
            float64OrNull("e2el_per_output_token_ms", e -> e.metrics().e2elPerOutputTokenMs()),
            bool("slo_met", e -> e.metrics().sloMet()),
            int64OrNull("router_arrival_ns", e -> e.row().cluster().routerArrivalNanos()),
            int64OrNull("routed_ns", e -> e.row().cluster().routedNanos()),
            float64OrNull("router_queue_ms", e -> e.row().cluster().routerQueueMs()),
            int64("router_cpu_ns", e -> e.row().cluster().routerCpuNanos()),
            boolNotNull("degraded", e -> e.row().cluster().degraded()),
            utf8("degraded_reason", e -> e.row().cluster().degradedReason()),
            utf8("outcome", e -> e.row().gateway().outcome().id()),
            int32OrNull("attempts", e -> e.row().gateway().attempts()),
            int32OrNull("hedges", e -> e.row().gateway().hedges()),
            int64OrNull("wasted_tokens", e -> e.row().gateway().wastedTokens()),
            int64OrNull("ended_ns", e -> e.row().gateway().endedNanos()));

    static List<Column<IterationRow>> iterations() {
        return ITERATIONS;
    }

    /**
     * The iteration columns, with {@code scheduler_cpu_ns} written as each row has it or as 0 (a measured wall time
     * would make the rows differ between identical runs), so that a run that does not keep it copies no row.
     */
    static List<Column<IterationRow>> iterations(boolean schedulerCpu) {
        return schedulerCpu ? ITERATIONS : ITERATIONS_WITHOUT_CPU;
    }

    private static final List<Column<IterationRow>> ITERATIONS = List.of(
            int64("iteration", IterationRow::iteration),
            int32("replica", IterationRow::replica),
            int64("start_ns", IterationRow::startNanos),
            int64("end_ns", IterationRow::endNanos),
            float64("duration_ms", r -> (r.endNanos() - r.startNanos()) / 1_000_000.0),
            int32("batch_size", IterationRow::batchSize),
            int32("prefill_seqs", IterationRow::prefillSeqs),
            int32("decode_seqs", IterationRow::decodeSeqs),
            int32("prefill_tokens", IterationRow::prefillTokens),
            int32("decode_tokens", IterationRow::decodeTokens),
            int32("waiting_seqs", IterationRow::waitingSeqs),
            int32("running_seqs", IterationRow::runningSeqs),
            int32("kv_blocks_used", IterationRow::kvBlocksUsed),
            int32("kv_blocks_total", IterationRow::kvBlocksTotal),
            int32("kv_blocks_cached", IterationRow::kvBlocksCached),
            int64("kv_tokens_stored", IterationRow::kvTokensStored),
            int64("kv_tokens_reserved_unused", IterationRow::kvTokensReservedUnused),
            int64("prefix_query_tokens", IterationRow::prefixQueryTokens),
            int64("prefix_hit_tokens", IterationRow::prefixHitTokens),
            int32("preemptions", IterationRow::preemptions),
            int64("scheduler_cpu_ns", IterationRow::schedulerCpuNanos),
            utf8("scheduler", IterationRow::scheduler),
            utf8("batcher", IterationRow::batcher),
            int32("kv_host_blocks_total", r -> r.host().blocksTotal()),
            int32("kv_host_blocks_used", r -> r.host().blocksUsed()),
            int32("kv_host_blocks_cached", r -> r.host().blocksCached()),
            int32("swap_out_blocks", r -> r.host().swapOutBlocks()),
            int32("swap_in_blocks", r -> r.host().swapInBlocks()),
            int32("offloaded_blocks", r -> r.host().offloadedBlocks()),
            int32("reloaded_blocks", r -> r.host().reloadedBlocks()),
            int32("spec_drafts", r -> r.spec().drafts()),
            int32("spec_draft_tokens", r -> r.spec().draftTokens()),
            int32("spec_accepted_tokens", r -> r.spec().acceptedTokens()),
            int64ListOrNull("spec_drafted_by_position", r -> r.spec().draftedByPosition()),
            int64ListOrNull("spec_accepted_by_position", r -> r.spec().acceptedByPosition()));

    private static final List<Column<IterationRow>> ITERATIONS_WITHOUT_CPU = ITERATIONS.stream()
            .map(c -> c.field().getName().equals("scheduler_cpu_ns")
                    ? Column.<IterationRow>int64("scheduler_cpu_ns", r -> 0L) : c)
            .toList();

    static List<Column<ClusterRow>> cluster() {
        return CLUSTER;
    }

    private static final List<Column<ClusterRow>> CLUSTER = List.of(
            int64("time_ns", ClusterRow::timeNanos),
            int32OrNull("replica", ClusterRow::replica),
            utf8("group", ClusterRow::group),
            int32("waiting", ClusterRow::waiting),
            int32("running", ClusterRow::running),
            int32("in_system", ClusterRow::inSystem),
            int32("kv_blocks_used", ClusterRow::kvBlocksUsed),
            int32("kv_blocks_total", ClusterRow::kvBlocksTotal),
            float64("kv_use", r -> r.kvBlocksTotal() == 0 ? 0 : (double) r.kvBlocksUsed() / r.kvBlocksTotal()),
            int64("prefix_query_tokens", ClusterRow::prefixQueryTokens),
            int64("prefix_hit_tokens", ClusterRow::prefixHitTokens),
            float64OrNull("prefix_hit_ratio", ClusterRow::prefixHitRatio),
            int64("tokens", ClusterRow::tokens),
            float64("tokens_per_s", ClusterRow::tokensPerSecond),
            int64("interval_ns", ClusterRow::intervalNanos),
            int32OrNull("requests_in_system", ClusterRow::requestsInSystem));

    static List<Column<EventRow>> events() {
        return EVENTS;
    }

    private static final List<Column<EventRow>> EVENTS = List.of(
            int64("time_ns", EventRow::timeNanos),
            int64OrNull("iteration", EventRow::iteration),
            int32OrNull("replica", EventRow::replica),
            utf8("type", EventRow::type),
            utf8("kind", EventRow::kind),
            // "from" and "to" are SQL keywords: DuckDB users would have to quote them
            utf8("from_value", EventRow::from),
            utf8("to_value", EventRow::to),
            utf8("detail", EventRow::detail));
}
