/**
 * Reading results back: {@link servelab.runtime.report.RunResults} loads a run folder from its files only (ours,
 * or converted vLLM and Vidur results), checking each table's schema; {@link servelab.runtime.report.Summary}
 * computes the figures {@code vllm bench serve} reports; {@link servelab.runtime.report.RunMetrics} adds the
 * counters a comparison needs (prefix hit rate, preemptions, acceptance rate) and {@link servelab.runtime.report.RunInfo}
 * what run.json says. Reports built on them: {@code report.runs} ({@code servelab report}), {@code report.bench}
 * ({@code servelab bench}).
 *
 * {@snippet :
 * var run = RunResults.load(Path.of("runs/fcfs-1"));
 * var summary = Summary.compute(run, Slo.parse("ttft=200,tpot=50"));
 * System.out.print(summary.format());                  // ===== Serving Benchmark Result =====
 * summary.writeJson(run.dir().resolve("summary.json"));
 * double[] ttft = run.requests().doubles("ttft_ms");   // NaN for failed requests
 * }
 */
package servelab.runtime.report;
