package servelab.runtime.exec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import servelab.api.PluginKind;
import servelab.runtime.engine.Executor;
import servelab.runtime.install.VectorModule;

/**
 * The real world: every replica's executor runs forward passes of one GGUF model (and of a draft model for the
 * {@code draft-model} speculator), mapped once and shared by all replicas. It refuses the {@code modeled}
 * speculator (its placeholder drafts would be verified and mostly rejected) and {@code draft-model} without a draft
 * model; KV defaults to 1 GiB or 64 full contexts.
 */
public final class ModelSetup implements ExecutorSetup {
    private final Settings settings;
    private final LoadedModel target;
    private final LoadedModel draft;
    private final List<ModelExecutor> executors = new ArrayList<>();
    private final RequestSampling sampling;

    /**
     * @param path      the target model's GGUF file, as the experiment gives it ({@code model.path})
     * @param draftPath the draft model's GGUF file ({@code model.draft_path}), or {@code null}
     * @param options   sampling, seed, backend and threads of every replica's executor
     * @param warmupS   seconds of throw-away steps before the trace starts (0: none)
     */
    public record Settings(String path, String draftPath, ModelExecutor.Options options, double warmupS) {}

    private ModelSetup(Settings settings, LoadedModel target, LoadedModel draft) {
        this.settings = settings;
        this.target = target;
        this.draft = draft;
        this.sampling = new RequestSampling(settings.options().sampling(), settings.options().seed());
    }

    /**
     * Refuses plugin choices the model executor cannot serve ({@code plugins}: kind to plugin name), then maps and
     * checks the model files.
     */
    public static ModelSetup open(Settings settings, Map<PluginKind, String> plugins) throws IOException {
        refuseSpeculator(plugins.get(PluginKind.SPECULATOR), settings);
        VectorModule.require();
        var target = LoadedModel.open(Path.of(settings.path()));
        try {
            var draft = settings.draftPath() == null ? null : LoadedModel.open(Path.of(settings.draftPath()));
            return new ModelSetup(settings, target, draft);
        } catch (IOException | RuntimeException e) {
            target.close();
            throw e;
        }
    }

    /**
     * Refuses a speculator ({@code name} without a version, or null) the model executor cannot serve, before a model
     * is read.
     */
    public static void refuseSpeculator(String speculator, Settings settings) {
        if ("modeled".equals(speculator)) {
            throw new IllegalArgumentException("speculator 'modeled' proposes placeholder drafts for the simulated "
                    + "executor's acceptance model; on the model executor use one that drafts real tokens (ngram, layer-skip, draft-model)");
        }
        if ("draft-model".equals(speculator) && settings.draftPath() == null) {
            throw new IllegalArgumentException("speculator 'draft-model' on the model executor needs model.draft_path "
                    + "(a smaller GGUF with the target's vocabulary)");
        }
    }

    /** Refuses a layer-skip speculator that would draft with more layers than the model has. */
    public void requireDraftLayers(int layers) {
        int has = target.llama().config().layers();
        if (layers > has) {
            throw new IllegalArgumentException("speculator 'layer-skip' would draft with " + layers + " layers, but the "
                    + "model has " + has + " (plugins.speculator.params.layers: at most " + has + ", 0 for half)");
        }
    }

    /** Per-request sampling, shared by every replica's executor: where a server puts what each request asked for. */
    public RequestSampling requestSampling() {
        return sampling;
    }

    /** The target model's tokenizer, for the generated text in outputs.jsonl. */
    public servelab.kernels.tokenizer.Tokenizer tokenizer() {
        return target.llama().tokenizer();
    }

    /**
     * 1 GiB of F32 keys and values (the target's and the draft model's), or 64 full contexts, whichever is fewer.
     */
    @Override
    public int defaultKvBlocks(int blockSize) {
        long perBlock = target.kvBlockBytes(blockSize) + (draft == null ? 0 : draft.kvBlockBytes(blockSize));
        long byMemory = (1L << 30) / perBlock;
        long byContext = (64L * target.llama().config().contextLength() + blockSize - 1) / blockSize;
        return (int) Math.max(1, Math.min(byMemory, byContext));
    }

    /**
     * The first replica's executor says on stderr when the asked-for backend is unavailable, and warms the JIT up
     * (compiled code is shared by the JVM, so once is enough).
     */
    @Override
    public Executor executor(int replica, int blockSize, int blocks, int hostBlocks) {
        var executor = new ModelExecutor(target, draft, settings.options(), sampling, blockSize, blocks, hostBlocks);
        executors.add(executor);
        if (replica == 0 && executor.backend() != settings.options().backend()) {
            System.err.println("servelab: " + executor.backendNote());
        }
        if (replica == 0 && settings.warmupS() > 0) executor.warmUp(settings.warmupS());
        return executor;
    }

    /** 0: the GGUF file stays mapped, so a restarted replica's cold start is its crash's warm-up alone. */
    @Override
    public long modelLoadNanos() {
        return 0;
    }

    @Override
    public void describe(Map<String, Object> info) {
        var first = executors.getFirst();
        var requested = settings.options().backend();
        info.put("executor", first.describe());
        info.put("backend", first.backend().id());
        if (first.backend() != requested) info.put("backend_requested", requested.id());
        if (!first.backendNote().isEmpty()) info.put("backend_note", first.backendNote());
        var section = new LinkedHashMap<String, Object>();
        section.put("path", settings.path());
        section.put("backend", first.backend().id());
        section.put("kv_pool_bytes", first.kvPoolBytes());
        var s = settings.options().sampling(); // as JSON, not the record's text
        section.put("sampling", servelab.runtime.record.Json.ordered("temperature", (double) s.temperature(),
                "top_k", s.topK(), "top_p", (double) s.topP(), "min_p", (double) s.minP()));
        section.put("warmup_s", settings.warmupS()); // steps thrown away first: TTFT moved ~100x between 0 and 1 s
        section.put("threads", first.kernelThreads()); // what model.threads: 0 (one per core) came to
        if (settings.draftPath() != null) section.put("draft_path", settings.draftPath());
        info.put("model", section);
    }

    @Override
    public void close() {
        executors.forEach(ModelExecutor::close);
        if (draft != null) draft.close();
        target.close();
    }
}
