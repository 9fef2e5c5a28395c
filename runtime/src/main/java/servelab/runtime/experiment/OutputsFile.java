package servelab.runtime.experiment;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import servelab.kernels.tokenizer.Tokenizer;
import servelab.runtime.record.Json;

/**
 * {@code outputs.jsonl} of a run on the model executor: one line per finished request, {@code {"request_id": 3,
 * "tokens": [..], "text": ".."}}, in completion order. Each line is flushed when written, so the file is readable up
 * to the last finished request if the run dies. Written by {@code servelab run} and {@code servelab serve} alike.
 */
public final class OutputsFile implements AutoCloseable {
    private final BufferedWriter out;
    private final Tokenizer tokenizer;

    OutputsFile(Path file, Tokenizer tokenizer) throws IOException {
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        this.tokenizer = tokenizer;
    }

    public void write(long requestId, int[] tokens) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("request_id", requestId);
        line.put("tokens", tokens);
        line.put("text", tokenizer.decode(tokens));
        try {
            out.write(Json.MAPPER.writeValueAsString(line));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing outputs.jsonl", e);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
