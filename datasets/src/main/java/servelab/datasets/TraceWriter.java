package servelab.datasets;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import servelab.datasets.internal.Decimals;
import servelab.datasets.internal.MooncakeRowParser;

/**
 * Writes requests in formats that {@link Traces} reads back to the same requests (same arrivals to the
 * nanosecond, tokens, tenants and priorities; ids are renumbered from 0 on reading, arrivals from the first):
 * <ul>
 *   <li>Vidur trace CSV, which Vidur's trace-replay generator reads too:
 *       {@code arrived_at,num_prefill_tokens,num_decode_tokens,tenant,priority}, {@code arrived_at} in seconds.
 *       It has no prefix blocks.</li>
 *   <li>Mooncake JSON lines: {@code timestamp} in ms (decimals where the time is not a whole ms),
 *       {@code input_length}, {@code output_length}, {@code hash_ids}; and, only when they differ from Mooncake's
 *       defaults, {@code block_size}, {@code tenant}, {@code priority}.</li>
 * </ul>
 */
public final class TraceWriter {
    private static final JsonFactory JSON = new JsonFactory();

    private TraceWriter() {
    }

    /** Writes {@code requests} to {@code file} as Vidur CSV, replacing it. */
    public static void writeVidurCsv(Path file, Iterable<TraceRequest> requests) throws IOException {
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            writeVidurCsv(out, requests);
        }
    }

    public static void writeVidurCsv(Writer out, Iterable<TraceRequest> requests) throws IOException {
        out.write("arrived_at,num_prefill_tokens,num_decode_tokens,tenant,priority\n");
        for (var r : requests) {
            out.write(Decimals.seconds(r.arrivalNanos()));
            out.write(',');
            out.write(Integer.toString(r.inputTokens()));
            out.write(',');
            out.write(Integer.toString(r.outputTokens()));
            out.write(',');
            out.write(csvField(r.tenant()));
            out.write(',');
            out.write(Integer.toString(r.priority()));
            out.write('\n');
        }
        out.flush();
    }

    /** RFC 4180: quote a field holding a comma, quote, line break or edge spaces; double its quotes. */
    private static String csvField(String value) {
        boolean plain = !value.isEmpty() && value.strip().equals(value);
        for (int i = 0; plain && i < value.length(); i++) {
            char c = value.charAt(i);
            plain = c != ',' && c != '"' && c != '\n' && c != '\r';
        }
        return plain ? value : '"' + value.replace("\"", "\"\"") + '"';
    }

    /** Writes {@code requests} to {@code file} as Mooncake JSON lines, replacing it. */
    public static void writeMooncakeJsonl(Path file, Iterable<TraceRequest> requests) throws IOException {
        try (var out = Files.newOutputStream(file)) {
            writeMooncakeJsonl(out, requests);
        }
    }

    public static void writeMooncakeJsonl(OutputStream out, Iterable<TraceRequest> requests) throws IOException {
        var writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        try (JsonGenerator json = JSON.createGenerator(writer)) {
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.setRootValueSeparator(null);
            for (var r : requests) {
                json.writeStartObject();
                json.writeFieldName("timestamp");
                json.writeNumber(Decimals.millis(r.arrivalNanos()));
                json.writeNumberField("input_length", r.inputTokens());
                json.writeNumberField("output_length", r.outputTokens());
                json.writeArrayFieldStart("hash_ids");
                for (long id : r.prefixBlockIds()) json.writeNumber(id);
                json.writeEndArray();
                // block_size also marks ids that cover only a prefix of the prompt (the reader wants all blocks otherwise)
                long promptBlocks = ((long) r.inputTokens() + MooncakeRowParser.MOONCAKE_BLOCK_TOKENS - 1)
                        / MooncakeRowParser.MOONCAKE_BLOCK_TOKENS;
                if (r.prefixBlockIds().length > 0 && (r.prefixBlockTokens() != MooncakeRowParser.MOONCAKE_BLOCK_TOKENS
                        || r.prefixBlockIds().length != promptBlocks)) {
                    json.writeNumberField("block_size", r.prefixBlockTokens());
                }
                if (!r.tenant().equals("default")) json.writeStringField("tenant", r.tenant());
                if (r.priority() != 0) json.writeNumberField("priority", r.priority());
                json.writeEndObject();
                json.writeRaw('\n');
            }
        }
        writer.flush();
    }
}
