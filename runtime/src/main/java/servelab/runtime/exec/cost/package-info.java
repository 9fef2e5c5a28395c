/**
 * How long a simulated engine step takes, and how much KV memory the simulated device has.
 *
 * <p>The simulated executor asks a {@link servelab.runtime.exec.cost.CostModel} for the duration of every step
 * and advances its virtual clock by it; the engine sizes its block pool from
 * {@link servelab.runtime.exec.cost.CostModel#kvCapacityBlocks}. A model comes from a profile: a YAML file with
 * the transformer's shapes, the device's datasheet peaks, efficiency factors and memory settings, and optionally a
 * table of measured steps. The format, the bundled profiles and their caveats are described in the
 * {@code servelab/profiles/README.md} resource.
 *
 * {@snippet :
 * var model = CostModels.load("llama-3-8b/h100-80gb");     // or a path: CostModels.load("my-gpu.yaml")
 * int blocks = model.kvCapacityBlocks(16);                  // 27,807 blocks of 16 tokens
 * long decode = model.stepNanos(0, 1, 1, 0, 1024);          // 6.15 ms: one token against a 1k context
 * int n = 2048;
 * long prefill = model.stepNanos(n, 0, 1, (long) n * (n + 1) / 2, 0); // 46.7 ms: a 2k prompt, compute-bound
 * String forRunJson = model.describe();                     // "roofline llama-3-8b on h100-80gb (bf16, tp=1)"
 * }
 *
 * <p>Two models implement it: {@link servelab.runtime.exec.cost.RooflineCostModel} (max of compute and memory
 * time from the profile's numbers) and {@link servelab.runtime.exec.cost.MeasuredCostModel} (a fit to measured
 * steps, {@link servelab.runtime.exec.cost.TableFit}: monotone planes times the measured factor of each token count). Both are immutable, thread-safe, and allocate
 * nothing per step. Invalid profiles fail at load with a {@link servelab.runtime.exec.cost.CostProfileException}
 * that names the file and the field.
 */
package servelab.runtime.exec.cost;
