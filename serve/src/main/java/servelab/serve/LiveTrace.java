package servelab.serve;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonFactory;

import servelab.datasets.TraceRequest;
import servelab.runtime.engine.ResultSink;
import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.RequestRow;

/**
 * {@code trace.jsonl}: every request that reached the engine, as a Mooncake trace line that {@code servelab run}
 * replays: {@code timestamp} (ms of the run clock), {@code input_length}, {@code output_length} (the tokens
 * generated when it completed, else the {@code max_tokens} asked for, so a replay offers the same load),
 * {@code hash_ids} (one id per 512-token block of the prompt: its chained hash, cut to 53 bits so that JavaScript and
 * other readers that parse JSON numbers as doubles keep it exact; equal ids for equal prefixes. Mooncake numbers its
 * blocks in order of first sight, which needs a table of every block the server has ever seen: it grew by about
 * 90 bytes per distinct block for the server's whole life) and {@code tenant} (the client's {@code user} or {@code X-Session-Id}).
 * A line is written when its request has ended and every earlier arrival has too, so the file stays in arrival
 * order, as trace readers require; lines wait in memory only as long as an earlier request runs.
 */
final class LiveTrace implements ResultSink, LiveEngine.ArrivalListener, AutoCloseable {
    static final int BLOCK = 512;
    private static final JsonFactory JSON = new JsonFactory();

    private record Pending(TraceRequest request, long[] blocks) {}

    private final BufferedWriter out;
    private final Map<Long, Pending> arrived = new HashMap<>();
    private final TreeMap<Long, String> ready = new TreeMap<>();
    private long nextLine;

    LiveTrace(Path file) throws IOException {
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void arrived(TraceRequest request, int[] promptIds) {
        arrived.put(request.id(), new Pending(request, blocks(promptIds)));
    }

    /** Chained block hashes (each covers its block and all before it), as non-negative 53-bit ids. */
    private long[] blocks(int[] ids) {
        var out = new long[(ids.length + BLOCK - 1) / BLOCK];
        long h = 0xCBF29CE484222325L;
        for (int b = 0; b < out.length; b++) {
            for (int i = b * BLOCK; i < Math.min(ids.length, (b + 1) * BLOCK); i++) h = (h ^ ids[i]) * 0x100000001B3L;
            h = (h ^ (ids.length > (b + 1) * BLOCK ? BLOCK : ids.length - b * BLOCK)) * 0x100000001B3L;
            out[b] = h >>> 11;
        }
        return out;
    }

    @Override
    public synchronized void request(RequestRow row) {
        var p = arrived.remove(row.requestId());
        if (p == null) return;
        boolean completed = row.error().isEmpty();
        int output = completed ? Math.max(1, row.outputTokens()) : p.request().outputTokens();
        ready.put(row.requestId(), line(p, output));
        while (!ready.isEmpty() && ready.firstKey() == nextLine) {
            write(ready.pollFirstEntry().getValue());
            nextLine++;
        }
    }

    private String line(Pending p, int output) {
        var text = new java.io.StringWriter();
        try (var g = JSON.createGenerator(text)) {
            var r = p.request();
            g.writeStartObject();
            g.writeNumberField("timestamp", r.arrivalNanos() / 1_000_000);
            g.writeNumberField("input_length", r.inputTokens());
            g.writeNumberField("output_length", output);
            g.writeArrayFieldStart("hash_ids");
            for (long b : p.blocks()) g.writeNumber(b);
            g.writeEndArray();
            g.writeStringField("tenant", r.tenant());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private void write(String line) {
        try {
            out.write(line);
            out.write('\n');
            out.flush(); // a killed server leaves every finished line readable
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the live trace", e);
        }
    }

    @Override public void iteration(IterationRow row) {}
    @Override public void event(EventRow row) {}

    /** Writes what is left in arrival order (the engine has ended every request by now). */
    @Override
    public synchronized void close() throws IOException {
        for (var line : ready.values()) write(line);
        ready.clear();
        out.close();
    }
}
