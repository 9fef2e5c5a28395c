/**
 * Transforms over a request stream: time scale, target mean rate, time window, first N, renumbering. They
 * compose in a {@link servelab.datasets.transform.TracePipeline}, in order, and stream (constant memory);
 * a target rate reads its source twice, once to measure it.
 *
 * {@snippet :
 * List<TraceRequest> replay = TracePipeline.of(TraceSource.of(file, ReadOptions.DEFAULT))
 *         .window(0, 600)       // the first ten minutes
 *         .targetRate(12.0)     // compressed or stretched to 12 req/s on average
 *         .first(5_000)
 *         .renumber()           // ids 0 .. n-1
 *         .toList();
 * }
 */
package servelab.datasets.transform;
