/**
 * JMH results as reports: {@link servelab.runtime.report.bench.JmhResults} reads JMH's JSON (and refuses any
 * other JSON, naming the file), {@link servelab.runtime.report.bench.BenchComparison} sets results beside a
 * baseline's, flagging differences beyond the combined error, and
 * {@link servelab.runtime.report.bench.BenchReport} writes the tables and charts {@code servelab bench} shows.
 *
 * {@snippet :
 * var written = BenchReport.write(Path.of("new.json"), Optional.of(Path.of("old.json")), Path.of("reports/bench"));
 * if (written.comparison().anySlower()) System.out.println("slower beyond the error");
 * }
 */
package servelab.runtime.report.bench;
