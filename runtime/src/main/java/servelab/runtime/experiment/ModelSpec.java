package servelab.runtime.experiment;

/**
 * The model executor's model and how it samples. Every request is run to its trace output length (an end-of-text
 * token does not stop it, like {@code vllm bench serve --ignore-eos}), with the same sampling parameters.
 *
 * @param path        GGUF file of a Llama-family model
 * @param backend     {@code cpu-vector} (default: Vector API kernels on {@code threads} threads),
 *                    {@code cpu-packed} (the same with Q8_0, Q4_0, F16 and BF16 weights repacked for batched tiles),
 *                    {@code cpu-reference} (scalar kernels, one thread), {@code tornadovm} or {@code tornadovm-matmul}
 * @param threads     kernel threads (0: one per available processor)
 * @param temperature 0 (default) samples greedily
 * @param topK        0 = off
 * @param topP        1 (default) = off
 * @param minP        0 = off
 * @param warmupS     seconds of throw-away steps before the trace starts, so the JIT has compiled the kernels
 *                    before the first timed step (default 1; 0 = none)
 * @param draftPath   GGUF of the {@code draft-model} speculator's draft model: smaller, same vocabulary
 */
public record ModelSpec(String path, String backend, int threads, double temperature, int topK, Double topP,
                        double minP, Double warmupS, String draftPath) {
    public static final ModelSpec NONE = new ModelSpec(null, null, 0, 0, 0, null, 0, null, null);

    public ModelSpec {
        backend = backend == null ? "cpu-vector" : backend;
        topP = topP == null ? 1.0 : topP;
        warmupS = warmupS == null ? 1.0 : warmupS;
        if (!(warmupS >= 0)) throw new IllegalArgumentException("model.warmup_s must be >= 0, was " + warmupS);
        if (threads < 0) throw new IllegalArgumentException("model.threads must be >= 0, was " + threads);
        try {
            servelab.runtime.exec.Backend.fromId(backend);
        } catch (IllegalArgumentException e) { // named as written: model.backend, not "model: unknown backend"
            throw new IllegalArgumentException("model.backend: " + e.getMessage(), e);
        }
        try {
            new servelab.kernels.sample.SamplingParams((float) temperature, topK, topP.floatValue(), (float) minP);
        } catch (IllegalArgumentException e) { // the key as the experiment writes it, not the record's field
            throw new IllegalArgumentException(e.getMessage().replace("SamplingParams.temperature", "model.temperature")
                    .replace("SamplingParams.topK", "model.top_k").replace("SamplingParams.topP", "model.top_p")
                    .replace("SamplingParams.minP", "model.min_p"), e);
        }
    }

    public servelab.kernels.sample.SamplingParams sampling() {
        return new servelab.kernels.sample.SamplingParams((float) temperature, topK, topP.floatValue(), (float) minP);
    }
}
