package servelab.runtime.exec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import servelab.kernels.Kernels;
import servelab.kernels.Parallel;
import servelab.kernels.attention.KvAddress;
import servelab.kernels.model.ResidentForward;
import servelab.kernels.model.SequenceChunk;
import servelab.kernels.sample.SamplingParams;
import servelab.kernels.sample.SpeculativeVerifier;
import servelab.kernels.sample.Verification;
import servelab.runtime.engine.EngineException;
import servelab.runtime.engine.Executor;
import servelab.runtime.engine.StepBatch;
import servelab.runtime.engine.StepResult;
import servelab.runtime.engine.TokenSpace;

/**
 * The real world's executor: each engine step is one batched forward pass of a GGUF Llama model over every item of
 * the plan (prefill chunks and decodes together), timed on the wall clock. Keys and values live in a paged pool whose
 * block ids are the engine's own, so a prefix-cache hit really skips the cached positions (they are already in the
 * pool) and a preemption really gives memory back. Each sequence that reaches its end gets a token sampled with the
 * run's sampling parameters, or a served request's own ({@link RequestSampling}).
 *
 * <p>Sampling draws from a generator seeded by (run seed, request id, position), so a request's output does not
 * depend on what it was batched with, on preemptions, or on the scheduler: a policy comparison on the real model
 * compares timing, not different texts.
 */
public final class ModelExecutor implements Executor {
    private final Options options;
    /** The run's sampling, or a served request's own (temperature, top-p, top-k, seed), per request. */
    private final RequestSampling sampling;
    private final ModelInstance target;
    /**
     * The draft model of the {@code draft-model} speculator, or {@code null}: its own pool addressed by the same block
     * ids as the target's, kept in step with the target by running it over every chunk the target computes.
     */
    private final ModelInstance draft;
    private BackendChoice backend;
    private final TokenSpace tokenSpace;
    private final ArrayList<SequenceChunk> chunks = new ArrayList<>();
    private final int engineBlocks;
    /**
     * Pool blocks past the engine's, where executor-side drafts (layer-skip, draft-model) put positions beyond a
     * sequence's blocks: a sixteenth of the engine's blocks, 8 to 256 (a sequence needs 1 + k / block size of them).
     */
    private final int scratchBlocks;
    private int[] itemOfChunk = new int[64];

    /**
     * How the model runs.
     *
     * @param sampling  temperature, top-k, top-p, min-p (greedy: temperature 0)
     * @param seed      run seed; a token's randomness is derived from it, the request id and the position
     * @param backend   which kernels run the forward pass
     * @param threads   threads of the vector kernels (0: one per available processor)
     */
    public record Options(SamplingParams sampling, long seed, Backend backend, int threads) {
        public Options {
            sampling = sampling == null ? SamplingParams.greedy() : sampling;
            backend = backend == null ? Backend.CPU_VECTOR : backend;
            if (threads < 0) throw new IllegalArgumentException("threads must be >= 0, was " + threads);
        }

        public static Options greedy() {
            return new Options(SamplingParams.greedy(), 0, Backend.CPU_VECTOR, 0);
        }
    }

    /**
     * An executor over {@code blocks} KV blocks of {@code blockSizeTokens} positions, block ids {@code 0 ..
     * blocks - 1} as the engine hands them out.
     */
    public ModelExecutor(LoadedModel model, Options options, int blockSizeTokens, int blocks) {
        this(model, options, blockSizeTokens, blocks, 0);
    }

    /** With {@code hostBlocks} host-memory slots that the engine's swap-outs and swap-ins copy blocks to and from. */
    public ModelExecutor(LoadedModel model, Options options, int blockSizeTokens, int blocks, int hostBlocks) {
        this(model, null, options, blockSizeTokens, blocks, hostBlocks);
    }

    /**
     * With a draft model for the {@code draft-model} speculator ({@code null}: none). It must share the target's
     * vocabulary; each engine block then holds the draft's keys and values for the same positions too.
     */
    public ModelExecutor(LoadedModel model, LoadedModel draft, Options options, int blockSizeTokens, int blocks,
                         int hostBlocks) {
        this(model, draft, options, new RequestSampling(options.sampling(), options.seed()), blockSizeTokens, blocks,
                hostBlocks);
    }

    /** With per-request sampling shared by the replicas of a served model (see {@link RequestSampling}). */
    public ModelExecutor(LoadedModel model, LoadedModel draft, Options options, RequestSampling sampling,
                         int blockSizeTokens, int blocks, int hostBlocks) {
        this(model, draft, options, sampling, blockSizeTokens, blocks, hostBlocks,
                BackendChoice.of(options.backend(), options.threads()));
    }

    /**
     * With the whole forward pass of the target and the draft model on {@code device} (their weights and KV pools
     * there, as {@code model.backend=tornadovm} does with TornadoVM's device): for another device's implementation of
     * {@link ResidentForward}, or a test's. {@code options.backend()} is what run.json reports.
     */
    public ModelExecutor(LoadedModel model, LoadedModel draft, Options options, ResidentForward.Opener device,
                         int blockSizeTokens, int blocks, int hostBlocks) {
        this(model, draft, options, new RequestSampling(options.sampling(), options.seed()), blockSizeTokens, blocks,
                hostBlocks, new BackendChoice(Kernels.vector(Parallel.of(options.threads() > 0 ? options.threads()
                        : Runtime.getRuntime().availableProcessors())), options.backend(), "", null, device));
    }

    private ModelExecutor(LoadedModel model, LoadedModel draft, Options options, RequestSampling sampling,
                          int blockSizeTokens, int blocks, int hostBlocks, BackendChoice choice) {
        if (draft != null) {
            try {
                ModelInstance.checkDraft(model, draft);
            } catch (IllegalArgumentException e) {
                choice.close();
                throw e;
            }
        }
        this.backend = choice;
        this.options = options;
        this.sampling = sampling;
        this.engineBlocks = blocks;
        this.scratchBlocks = Math.clamp(blocks / 16, 8, 256);
        var layout = new ModelInstance.Layout(blockSizeTokens, blocks, scratchBlocks, hostBlocks);
        try {   // a refused layout is the user's to mend, whatever the backend
            ModelInstance.check(model, layout);
            if (draft != null) ModelInstance.check(draft, layout);
        } catch (IllegalArgumentException e) {
            choice.close(); // and must not keep the offload's device memory
            throw e;
        }
        ModelInstance[] instances;
        try {
            instances = instances(model, draft, layout);
        } catch (RuntimeException | LinkageError e) {
            backend.close();
            if (backend.resident() == null) throw e;
            // the device could not hold the model (a weight format without device kernels, no device, no memory)
            this.backend = BackendChoice.unavailable(options.backend(), options.threads(),
                    "its device forward could not be built: " + BackendChoice.reason(e));
            instances = instances(model, draft, layout);
        }
        this.target = instances[0];
        this.draft = instances[1];
        if (target.device() != null) this.backend = backend.withNote(target.device().describe());
        this.tokenSpace = model.ordinaryTokens();
    }

    /** The target's and the draft model's instances ({@code null} without a draft), on this executor's backend. */
    private ModelInstance[] instances(LoadedModel model, LoadedModel draft, ModelInstance.Layout layout) {
        var t = new ModelInstance(model, backend.kernels(), layout, backend.resident());
        try {
            return new ModelInstance[] {t, draft == null ? null
                    : new ModelInstance(draft, backend.kernels(), layout, backend.resident())};
        } catch (RuntimeException | LinkageError e) {
            t.close();
            throw e;
        }
    }

    @Override
    public long execute(StepBatch batch, StepResult result) {
        try {
            return executeStep(batch, result);
        } catch (servelab.kernels.sample.Sampler.NonFiniteLogitsException e) { // the run stops, naming the file
            throw new EngineException("model " + target.model().path().getFileName() + ": " + e.getMessage()
                    + "; is the file intact?", e);
        }
    }

    private long executeStep(StepBatch batch, StepResult result) {
        long t0 = System.nanoTime();
        copyBlocks(batch);
        chunks.clear();
        if (itemOfChunk.length < batch.size()) itemOfChunk = new int[Math.max(batch.size(), itemOfChunk.length * 2)];
        for (int i = 0; i < batch.size(); i++) {
            int start = batch.startPosition(i);
            var tokens = new int[batch.tokens(i)];
            for (int j = 0; j < tokens.length; j++) tokens[j] = batch.token(i, start + j);
            var table = Arrays.copyOf(batch.blockTable(i), batch.blockCount(i));
            itemOfChunk[chunks.size()] = i;
            int logits = batch.samples(i) ? 1 + batch.draftTokens(i) : 0; // a verification scores every draft
            chunks.add(new SequenceChunk(tokens, start, new KvAddress.Blocks(table), logits));
        }
        // on a device, the rows and verifications it can sample are sampled there; the others bring their logits back
        // and are sampled here (StepSampling)
        var plan = StepSampling.of(batch, chunks, itemOfChunk, sampling, target.device() != null);
        ModelInstance.Output out;
        try {
            out = target.forward(chunks, target.config().layers(), plan.draws(), plan.needsLogits());
            if (draft != null) draft.store(chunks); // the draft's KV for the same positions, no logits
        } catch (IllegalArgumentException e) {
            throw new EngineException("forward pass refused the step: " + e.getMessage(), e);
        }
        for (int c = 0; c < chunks.size(); c++) {
            if (out.rows(c) == 0) continue;
            int i = itemOfChunk[c];
            int drafts = batch.draftTokens(i);
            int[] verified = out.verifiedOnDevice(c);
            if (verified != null) {
                for (int token : verified) result.emit(i, token);
                continue;
            }
            if (drafts > 0) {
                for (int token : verify(batch, i, c, out).tokens()) result.emit(i, token);
                continue;
            }
            if (plan.onDevice(c) || sampling.params(batch.seqId(i)).isGreedy()) {
                result.emit(i, out.token(c, 0));
                continue;
            }
            int position = batch.startPosition(i) + batch.tokens(i); // the position the sampled token will take
            var logits = out.logits();
            result.emit(i, sampling.sampler(batch.seqId(i), position).sample(logits.values(), logits.offset(c, 0),
                    logits.vocabularySize()));
        }
        return Math.max(1, System.nanoTime() - t0);
    }

    /**
     * Layer-skip drafting: {@code draftTokens} greedy steps of the first {@code layers} layers (0: half) over all the
     * sequences at once. Positions from each sequence's last token on go to its own blocks where it has room and to
     * scratch blocks past the engine's beyond that; the verification step rewrites them with the whole model. As many
     * sequences are drafted for as the scratch blocks allow (the rest decode plainly).
     */
    @Override
    public long selfDraft(servelab.runtime.engine.SelfDraftBatch batch, int layers, int draftTokens) {
        long t0 = System.nanoTime();
        boolean separate = layers < 0;
        if (separate && draft == null) {
            throw new CannotDraft("the draft-model speculator needs a draft model: set model.draft_path (a smaller "
                    + "GGUF with the target's vocabulary)");
        }
        var drafter = separate ? draft : target;
        var c = drafter.config();
        if (!separate && layers > c.layers()) throw new CannotDraft("layer-skip drafts with " + layers // was clamped
                + " layers, but the model has " + c.layers() + " (plugins.speculator.params.layers: 0 for half)");
        int use = separate ? c.layers() : layers == 0 ? Math.max(1, c.layers() / 2) : layers;
        int blockSize = target.blockSize();
        int nextScratch = engineBlocks;
        var seqs = new ArrayList<Integer>();
        var tables = new ArrayList<KvAddress.Blocks>();
        for (int i = 0; i < batch.size(); i++) {
            int k = Math.min(draftTokens, batch.maxDraftTokens(i));
            if (k <= 0) continue;
            int last = batch.lastPosition(i);
            int needed = Math.ceilDiv(last + k, blockSize) - batch.blockCount(i); // positions last .. last + k - 1
            if (nextScratch + Math.max(0, needed) > engineBlocks + scratchBlocks) break;
            var table = Arrays.copyOf(batch.blockTable(i), batch.blockCount(i) + Math.max(0, needed));
            for (int b = batch.blockCount(i); b < table.length; b++) table[b] = nextScratch++;
            seqs.add(i);
            tables.add(new KvAddress.Blocks(table));
        }
        if (seqs.isEmpty()) return 0;
        int n = seqs.size();
        var current = new int[n];
        var drafts = new int[n][];
        for (int s = 0; s < n; s++) {
            int i = seqs.get(s);
            current[s] = batch.token(i, batch.lastPosition(i));
            drafts[s] = new int[Math.min(draftTokens, batch.maxDraftTokens(i))];
        }
        var step = new ArrayList<SequenceChunk>(n);
        var rowOf = new int[n];
        for (int j = 0; j < draftTokens; j++) {
            step.clear();
            for (int s = 0; s < n; s++) {
                if (j >= drafts[s].length) continue;
                rowOf[step.size()] = s;
                step.add(SequenceChunk.decode(current[s], batch.lastPosition(seqs.get(s)) + j, tables.get(s)));
            }
            if (step.isEmpty()) break;
            ModelInstance.Output out;
            try {
                out = drafter.forward(step, use, false);
            } catch (IllegalArgumentException e) {
                throw new EngineException("layer-skip draft pass refused: " + e.getMessage(), e);
            }
            for (int r = 0; r < step.size(); r++) {
                int s = rowOf[r];
                current[s] = out.token(r, 0);
                drafts[s][j] = current[s];
            }
        }
        for (int s = 0; s < n; s++) batch.draft(seqs.get(s), drafts[s], drafts[s].length);
        return Math.max(1, System.nanoTime() - t0);
    }

    /** The step's KV transfers, as the engine lists them: every swap-out (device to host), then every swap-in. */
    private void copyBlocks(StepBatch batch) {
        int outs = batch.swapOuts(), ins = batch.swapIns();
        if (outs == 0 && ins == 0) return;
        var outDevice = new int[outs];
        var outHost = new int[outs];
        for (int j = 0; j < outs; j++) {
            outDevice[j] = batch.swapOutDevice(j);
            outHost[j] = batch.swapOutHost(j);
        }
        var inDevice = new int[ins];
        var inHost = new int[ins];
        for (int j = 0; j < ins; j++) {
            inDevice[j] = batch.swapInDevice(j);
            inHost[j] = batch.swapInHost(j);
        }
        for (var instance : draft == null ? List.of(target) : List.of(target, draft)) {
            instance.copy(outDevice, outHost, true);
            instance.copy(inDevice, inHost, false);
        }
    }

    /**
     * Verifies item {@code i}'s drafts against its k + 1 logit rows: greedy match under greedy sampling, else rejection
     * sampling drawing each position's token with its own uniform, as plain sampling does (the drafts change nothing).
     */
    private Verification verify(StepBatch batch, int i, int chunk, ModelInstance.Output out) {
        var chunkTokens = chunks.get(chunk).tokens();
        var drafts = Arrays.copyOfRange(chunkTokens, 1, chunkTokens.length);
        var params = sampling.params(batch.seqId(i));
        if (params.isGreedy()) {
            var best = new int[drafts.length + 1];
            for (int j = 0; j < best.length; j++) best[j] = out.token(chunk, j);
            return SpeculativeVerifier.greedy(drafts, best);
        }
        var logits = out.logits();
        int vocabulary = logits.vocabularySize();
        var probabilities = new float[drafts.length + 1][];
        for (int j = 0; j <= drafts.length; j++) {
            probabilities[j] = params.probabilities(logits.values(), logits.offset(chunk, j), vocabulary);
        }
        return SpeculativeVerifier.rejectionByDraw(drafts, probabilities, sampling.verifyUniforms(batch.seqId(i),
                batch.startPosition(i) + 1, drafts.length + 1));
    }

    /**
     * Runs throw-away steps of the target for about {@code seconds} (at least three) so that the JIT has compiled the
     * kernels before the first timed step (see {@link ModelInstance#warmUp}).
     *
     * @return steps run
     */
    public int warmUp(double seconds) {
        return target.warmUp(seconds, tokenSpace);
    }

    @Override
    public TokenSpace tokenSpace() {
        return tokenSpace;
    }

    @Override
    public int maxSequenceTokens() {
        int context = target.maxContext();
        return draft == null ? context : Math.min(context, draft.maxContext());
    }

    @Override
    public String describe() {
        var s = options.sampling();
        String sampling = s.isGreedy() ? "greedy" : String.format(Locale.ROOT,
                "temperature %s, top-k %d, top-p %s, min-p %s", s.temperature(), s.topK(), s.topP(), s.minP());
        return "model: " + target.model().describe() + " on " + backend.inUse().id()
                + (backend.note().isEmpty() ? "" : " [" + backend.note() + "]")
                + (target.device() != null ? "" : " (" + target.state().kernels().parallel().threads() + " threads)")
                + ", " + sampling + ", " + engineBlocks
                + " KV blocks of " + target.blockSize() + (draft == null ? "" : "; draft " + draft.model().describe());
    }

    /** Kernel threads on the CPU (the count {@code threads: 0} resolved to), 0 when the device runs the model. */
    public int kernelThreads() {
        return target.device() != null ? 0 : target.state().kernels().parallel().threads();
    }

    /** The backend in use, for run.json: the one asked for, or cpu-vector when TornadoVM was unavailable. */
    public Backend backend() {
        return backend.inUse();
    }

    /** What runs the matmuls, or why the asked-for backend was not used ({@code ""} when there is nothing to say). */
    public String backendNote() {
        return backend.note();
    }

    /** Frees the offload's or the device forward's memory, if any. */
    public void close() {
        target.close();
        if (draft != null) draft.close();
        backend.close();
    }

    /** Bytes of the KV pool. */
    public long kvPoolBytes() {
        return target.poolBytes() + (draft == null ? 0 : draft.poolBytes());
    }
}
