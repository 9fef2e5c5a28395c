/**
 * {@code servelab report}: run folders compared in tables ({@link servelab.runtime.report.runs.RunTables}) and
 * charts ({@link servelab.runtime.report.runs.RunCharts}), written by
 * {@link servelab.runtime.report.runs.RunReport}. The notebook helpers ({@code servelab.runtime.notebook}) show
 * the same tables and charts.
 *
 * {@snippet :
 * var runs = NamedRun.load(List.of(Path.of("runs/demo/fcfs+continuous"), Path.of("runs/demo/sjf+continuous")));
 * RunReport.write(runs, Path.of("reports/demo"), Optional.empty());  // report.md, report.html, *.png
 * }
 */
package servelab.runtime.report.runs;
