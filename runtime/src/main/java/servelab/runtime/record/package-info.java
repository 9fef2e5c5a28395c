/**
 * Recording a run: row records, Arrow writers (one per table), run.json, and importers that turn vLLM and Vidur
 * results into the same requests table.
 *
 * <p>The engine hands finished requests, steps and events to a {@link servelab.runtime.record.RunRecorder}; rows
 * go to Arrow IPC streams in record batches (a killed run keeps every complete batch), and {@code close()} turns
 * them into Arrow IPC files that pandas, polars, DuckDB and Arrow JS read unchanged. Column names and metric
 * definitions follow vLLM's {@code bench serve} (TTFT, TPOT, ITL, E2EL, goodput); runtime/RESULTS-SCHEMA.md lists
 * every column.
 *
 * {@snippet :
 * var opts = RecorderOptions.defaults().withSlo(Slo.parse("ttft=200,tpot=50"));
 * try (var recorder = RunRecorder.create(runDir, opts)) {
 *     recorder.writeRunJson(runInfo);
 *     // a request that arrived at 0, was scheduled at 1 ms, streamed 3 tokens and finished at 30 ms
 *     recorder.request(new RequestRow(0, 0, "default", 0, 0, 1_000_000, 10_000_000, 30_000_000, 128, 3, 0, 0,
 *             new long[] {10_000_000, 20_000_000, 30_000_000}, 0, 0, 0, ""));
 * }
 * // after a kill instead: RunRecorder.recover(runDir)
 * VllmImporter.importTo(Path.of("vllm-result.json"), Path.of("runs/vllm-baseline"));
 * }
 */
package servelab.runtime.record;
