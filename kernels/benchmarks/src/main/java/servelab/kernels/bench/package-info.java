/**
 * JMH benchmarks of the kernels; run them with {@code kernels/benchmarks/run jmh} from the repository root and
 * read the results with {@code kernels/benchmarks/run medians FILE.json}.
 *
 * {@snippet :
 * // kernels/benchmarks/run jmh MatVecBenchmark -p threads=2 -rf json -rff out.json
 * // kernels/benchmarks/run medians out.json
 * }
 */
package servelab.kernels.bench;
