/**
 * The notebook helper API: what a Jupyter notebook with a Java kernel needs to go from run folders to tables and
 * charts in a few lines, using the same code as {@code servelab report}. {@code servelab notebook install}
 * registers a kernel with ServeLab on its class path, so a notebook only imports this package.
 *
 * <ul>
 *   <li>{@link servelab.runtime.notebook.Runs}: load runs, select a column across them, their metrics and
 *       comparison tables;</li>
 *   <li>{@link servelab.runtime.notebook.Percentiles}: percentiles of a column (vLLM's and numpy's definition);</li>
 *   <li>{@link servelab.runtime.notebook.Plot}: the report's charts as images (CDFs, latency over time with swaps
 *       marked, KV blocks, batch size, tokens per iteration), lines, JMH bars;</li>
 *   <li>{@link servelab.runtime.notebook.Notebook}: where the checkout, the notebooks' runs and the shared traces
 *       are.</li>
 * </ul>
 *
 * {@snippet :
 * import servelab.runtime.notebook.*;
 *
 * var runs = Runs.load(Notebook.runsDir().resolve("sweep"));
 * System.out.println(runs.summaryTable());
 * System.out.println(Percentiles.table(runs.requests("ttft_ms"), 50, 90, 99));
 * Plot.cdf(runs, "ttft_ms")
 * }
 *
 * Columns and units: runtime/RESULTS-SCHEMA.md. Tables of a single run: {@code run.results().requests()}
 * ({@link servelab.runtime.report.Table}).
 */
package servelab.runtime.notebook;
