/**
 * Request traces: reading them, their reference statistics, and writing them back.
 *
 * <p>{@link servelab.datasets.Traces#open} reads Azure LLM inference CSV (2023 and 2024), BurstGPT CSV (v1 and
 * v3), Mooncake JSON lines and Vidur trace CSV, by column name, lazily, in constant memory. Every reader yields
 * {@link servelab.datasets.TraceRequest}s with ids 0, 1, 2, ... and arrival times in nanoseconds from the first
 * request. Rows the trace cannot mean (malformed, out of order) fail with a
 * {@link servelab.datasets.TraceFormatException} naming file, line and column, or are skipped and counted;
 * rows of 0 input or output tokens (failed requests in real traces) are skipped and counted, or clamped to 1.
 *
 * {@snippet :
 * try (TraceReader reader = Traces.open(Path.of("AzureLLMInferenceTrace_conv.csv"))) {
 *     while (reader.hasNext()) {
 *         TraceRequest r = reader.next();          // id, arrivalNanos, inputTokens, outputTokens, ...
 *         engine.submitAt(r.arrivalNanos(), r);
 *     }
 *     System.out.println(reader.skippedRows());    // e.g. {ZERO_TOKENS=4}
 * }
 * TraceStats stats = TraceStats.of(Path.of("conversation_trace.jsonl"));
 * System.out.println(stats.toMap());               // keys and definitions of the shared stats.json files
 * TraceWriter.writeVidurCsv(Path.of("replay.csv"), requests);
 * }
 *
 * <p>Generators live in {@link servelab.datasets.synthetic}, transforms in {@link servelab.datasets.transform};
 * {@code servelab.datasets.internal} holds the parsers and is not API.
 */
package servelab.datasets;
