package servelab.datasets;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The trace formats ServeLab reads. Columns are looked up by header name, so extra columns and any column order
 * are fine. A {@code .gz} suffix on any of them is decompressed on the fly.
 */
public enum TraceFormat {
    /**
     * Azure LLM inference trace, 2023 (Splitwise) and 2024 (DynamoLLM) layouts:
     * {@code TIMESTAMP,ContextTokens,GeneratedTokens}, timestamps {@code 2023-11-16 18:15:46.6805900} (2023,
     * 7 fractional digits, no zone) or {@code 2024-05-10 00:00:00.009930+00:00} (2024, offset).
     */
    AZURE_CSV("azure-csv", List.of("TIMESTAMP", "ContextTokens", "GeneratedTokens")),
    /**
     * BurstGPT v1/v2 ({@code Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type}) and v3 (adds
     * {@code Session ID,Elapsed time}); {@code Timestamp} in seconds.
     */
    BURSTGPT_CSV("burstgpt-csv", List.of("Timestamp", "Model", "Request tokens", "Response tokens")),
    /** Mooncake JSON lines: {@code timestamp} (ms), {@code input_length}, {@code output_length}, {@code hash_ids}. */
    MOONCAKE_JSONL("mooncake-jsonl", List.of("timestamp", "input_length", "output_length")),
    /** Vidur trace-replay CSV: {@code arrived_at} (seconds), {@code num_prefill_tokens}, {@code num_decode_tokens}. */
    VIDUR_CSV("vidur-csv", List.of("arrived_at", "num_prefill_tokens", "num_decode_tokens"));

    private final String id;
    private final List<String> requiredColumns;

    TraceFormat(String id, List<String> requiredColumns) {
        this.id = id;
        this.requiredColumns = requiredColumns;
    }

    /** Short name used on the command line and as {@code kind} in statistics, e.g. {@code azure-csv}. */
    public String id() {
        return id;
    }

    /** Header columns (JSON fields for Mooncake) the format cannot do without. */
    public List<String> requiredColumns() {
        return requiredColumns;
    }

    /** The format whose {@link #id()} is {@code id}; the error lists the known ids. */
    public static TraceFormat fromId(String id) {
        for (var format : values()) {
            if (format.id.equals(id)) return format;
        }
        throw new IllegalArgumentException("unknown trace format '" + id + "'; known formats: " + knownFormats());
    }

    /** {@code azure-csv (TIMESTAMP, ContextTokens, GeneratedTokens), ...}, for error messages. */
    public static String knownFormats() {
        return Arrays.stream(values())
                .map(f -> f.id + " (" + String.join(", ", f.requiredColumns) + ")")
                .collect(Collectors.joining(", "));
    }
}
