package servelab.kernels.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * llama.cpp's side of {@code kernels/benchmarks/run vs-llamacpp}: runs {@code llama-bench} (prefill of 128 tokens and
 * batch-1 decode of 32) and {@code llama-batched-bench} (decode at 8 and 32 sequences after a shared 128-token
 * prompt) on the same GGUF file as ServeLab, CPU only, and appends their tokens/s in {@link VsLlamaCpp}'s row format.
 *
 * <pre>
 *   LlamaCppRunner MODEL FORMAT THREADS ROUND OUT.jsonl
 * </pre>
 * Both binaries are found on the {@code PATH}. llama.cpp's threads busy-wait for work between operations by
 * default; that is left as is, since it is what a user of these tools gets.
 */
public final class LlamaCppRunner {
    private LlamaCppRunner() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 5) {
            System.err.println("usage: LlamaCppRunner MODEL FORMAT THREADS ROUND OUT.jsonl");
            System.exit(2);
        }
        String model = args[0];
        String format = args[1];
        int threads = Integer.parseInt(args[2]);
        int round = Integer.parseInt(args[3]);
        var rows = new ArrayList<Map<String, Object>>();
        var json = new ObjectMapper();
        String t = Integer.toString(threads);
        for (String line : run(List.of("llama-bench", "-m", model, "-t", t, "-p", Integer.toString(VsLlamaCpp.PROMPT),
                "-n", "32", "-r", "2", "-o", "jsonl"))) {
            if (!line.startsWith("{")) {
                continue;
            }
            JsonNode n = json.readTree(line);
            String cell = n.get("n_gen").asInt() > 0 ? "decode1" : "prefill";
            rows.add(VsLlamaCpp.row("llama.cpp", format, threads, round, cell, n.get("avg_ts").asDouble(), "tokens/s"));
        }
        int contextNeeded = 32 * (VsLlamaCpp.PROMPT + 32);
        for (String line : run(List.of("llama-batched-bench", "-m", model, "-t", t, "-tb", t, "-c", Integer.toString(contextNeeded),
                "-b", "2048", "-ub", "512", "-npp", Integer.toString(VsLlamaCpp.PROMPT), "-ntg", "32", "-npl", "8,32", "-pps",
                "--output-format", "jsonl"))) {
            if (!line.startsWith("{")) {
                continue;
            }
            JsonNode n = json.readTree(line);
            rows.add(VsLlamaCpp.row("llama.cpp", format, threads, round, "decode" + n.get("pl").asInt(),
                    n.get("speed_tg").asDouble(), "tokens/s"));
        }
        VsLlamaCpp.append(Path.of(args[4]), rows);
    }

    /** Runs {@code command} and returns its standard output's lines (its progress on standard error is dropped). */
    private static List<String> run(List<String> command) throws IOException, InterruptedException {
        var process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        var lines = new String(process.getInputStream().readAllBytes()).lines().toList();
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + exit + "; rerun it by hand to see why");
        }
        return lines;
    }
}
