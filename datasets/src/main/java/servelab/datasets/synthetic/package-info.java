/**
 * Seeded, deterministic synthetic traces: an arrival process ({@link servelab.datasets.synthetic.Arrivals}:
 * Poisson, Gamma with a given CV, on/off bursts), input and output lengths
 * ({@link servelab.datasets.synthetic.Lengths}: fixed, uniform, Zipf, log-normal, empirical; or
 * {@link servelab.datasets.synthetic.LengthModel.Resampled} pairs from a real trace), and tenants with weights
 * ({@link servelab.datasets.synthetic.TenantMix}).
 *
 * {@snippet :
 * var trace = SyntheticTrace.of(
 *                 new Arrivals.Gamma(8.0, 2.5),                          // 8 req/s, gaps with CV 2.5
 *                 Lengths.LogNormal.ofMean(1200, 1.0, 16, 16_384),       // prompts: mean 1,200, clamped
 *                 new Lengths.Zipf(1.2, 2_048),                          // outputs: heavy-tailed
 *                 10_000, 42L)
 *         .withTenants(TenantMix.weighted(3, 1));                        // tenant-0 sends 3x tenant-1's load
 * for (TraceRequest r : trace) { ... }                                   // same requests on every pass
 * TraceWriter.writeMooncakeJsonl(Path.of("gamma.jsonl"), trace);
 * }
 */
package servelab.datasets.synthetic;
