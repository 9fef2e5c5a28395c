/**
 * Charts drawn with XChart, headless, in one style (white, legend below or beside, a colour-blind-safe palette):
 * CDFs, lines over time with plugin swaps as labelled vertical lines, plain lines, and grouped bars with error
 * bars. Every chart has a title, axis titles with units and a legend. {@link servelab.runtime.report.chart.Png}
 * turns one into a PNG file or an image.
 *
 * {@snippet :
 * var chart = Charts.overTime("KV blocks in use", "blocks",
 *         List.of(Line.of("fcfs", timesS, blocks, 0)), List.of(new Marker(30.0, "scheduler fcfs -> sjf")));
 * Png.write(chart, Path.of("kv-blocks.png"));
 * }
 */
package servelab.runtime.report.chart;
