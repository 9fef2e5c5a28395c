package servelab.datasets;

import java.util.Objects;
import java.util.Optional;

/**
 * How a reader treats rows that do not make a valid request.
 *
 * @param badRows      malformed rows, wrong column counts and rows that go back in time: fail (default) or skip
 *                     and count them
 * @param zeroTokens   rows asking for 0 input or 0 output tokens (real traces have them: failed requests), which a
 *                     {@link TraceRequest} cannot hold: skip and count them (default), or replay them with 1 token
 * @param tenantColumn the CSV column or JSON field whose value becomes {@link TraceRequest#tenant()}; empty means
 *                     the format's default ({@code Model} for BurstGPT, {@code tenant} for Vidur CSV and Mooncake
 *                     JSONL when present, none for Azure). A named CSV column must be in the header; a JSON
 *                     line without the named field belongs to {@code "default"}.
 */
public record ReadOptions(BadRows badRows, ZeroTokens zeroTokens, Optional<String> tenantColumn) {

    /** What to do with a malformed or out-of-order row. */
    public enum BadRows {
        /** Throw {@link TraceFormatException} naming file, line and column. */
        FAIL,
        /** Leave the row out, count it by {@link SkipReason}, and log one warning per reason at the end. */
        SKIP
    }

    /** What to do with a row of 0 input or 0 output tokens. */
    public enum ZeroTokens {
        /** Leave it out and count it as {@link SkipReason#ZERO_TOKENS}: a failed request is not replayed. */
        SKIP,
        /** Replay it with 1 token where the trace says 0 (keeps the arrival pattern whole). */
        CLAMP_TO_ONE
    }

    /** Fail on bad rows, skip 0-token rows, the format's default tenant column. */
    public static final ReadOptions DEFAULT = new ReadOptions(BadRows.FAIL, ZeroTokens.SKIP, Optional.empty());

    public ReadOptions {
        Objects.requireNonNull(badRows, "ReadOptions.badRows");
        Objects.requireNonNull(zeroTokens, "ReadOptions.zeroTokens");
        Objects.requireNonNull(tenantColumn, "ReadOptions.tenantColumn");
        if (tenantColumn.isPresent() && tenantColumn.get().isBlank()) {
            throw new IllegalArgumentException("ReadOptions.tenantColumn must name a column, was blank");
        }
    }

    /** The defaults, but skipping (and counting) malformed and out-of-order rows. */
    public static ReadOptions skippingBadRows() {
        return DEFAULT.withBadRows(BadRows.SKIP);
    }

    public ReadOptions withBadRows(BadRows policy) {
        return new ReadOptions(policy, zeroTokens, tenantColumn);
    }

    public ReadOptions withZeroTokens(ZeroTokens policy) {
        return new ReadOptions(badRows, policy, tenantColumn);
    }

    /** Use the values of {@code column} (CSV header name or JSON field) as tenants. */
    public ReadOptions withTenantColumn(String column) {
        return new ReadOptions(badRows, zeroTokens, Optional.of(column));
    }
}
