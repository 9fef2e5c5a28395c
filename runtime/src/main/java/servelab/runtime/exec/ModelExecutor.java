package servelab.runtime.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import servelab.kernels.Kernels;
import servelab.kernels.MatmulOffload;
import servelab.kernels.Parallel;
import servelab.kernels.attention.KvAddress;
import servelab.kernels.attention.PagedKvCache;
import servelab.kernels.gguf.GgufFile;
import servelab.kernels.gguf.GgufFormatException;
import servelab.kernels.model.Forward;
import servelab.kernels.model.ForwardState;
import servelab.kernels.model.Llama;
import servelab.kernels.model.Logits;
import servelab.kernels.model.SequenceChunk;
import servelab.kernels.sample.SamplingParams;
import servelab.kernels.sample.SeededSampler;
import servelab.kernels.sample.SpeculativeVerifier;
import servelab.kernels.sample.Verification;
import servelab.runtime.engine.EngineException;
import servelab.runtime.engine.Executor;
import servelab.runtime.engine.StepBatch;
import servelab.runtime.engine.TokenSpace;

/**
 * The real world's executor: each engine step is one batched forward pass of a GGUF Llama model over every item of
 * the plan (prefill chunks and decodes together), timed on the wall clock. Keys and values live in a paged pool whose
 * block ids are the engine's own, so a prefix-cache hit really skips the cached positions (they are already in the
 * pool) and a preemption really gives memory back. Each sequence that reaches its end gets a token sampled with the
 * run's sampling parameters.
 *
 * <p>Sampling draws from a generator seeded by (run seed, request id, position), so a request's output does not
 * depend on what it was batched with, on preemptions, or on the scheduler: a policy comparison on the real model
 * compares timing, not different texts.
 */
public final class ModelExecutor implements Executor {
    private final LoadedModel model;
    private final Options options;
    private final ForwardState state;
    private final PagedKvCache cache;
    private final TokenSpace tokenSpace;
    private final ArrayList<SequenceChunk> chunks = new ArrayList<>();
    /** Host-tier slots (swap preemption, offloaded prefix blocks): per layer, keys and values of each slot. */
    private final float[][] hostKeys;
    private final float[][] hostValues;
    private final int blockFloats;
    /**
     * Pool blocks past the engine's, where executor-side drafts (layer-skip, draft-model) put positions beyond a
     * sequence's blocks: a sixteenth of the engine's blocks, 8 to 256 (a sequence needs 1 + k / block size of them).
     */
    private static int scratchBlocks(int engineBlocks) {
        return Math.clamp(engineBlocks / 16, 8, 256);
    }
    private final int engineBlocks;
    private final int scratchBlocks;
    /**
     * The draft model of the {@code draft-model} speculator, if any: its own KV pool addressed by the same block ids
     * as the target's (vLLM's draft workers share the target's block tables the same way), kept in step with the
     * target by running it over every chunk the target computes.
     */
    private final LoadedModel draft;
    private final Backend backendInUse;
    private final String backendNote;
    private final MatmulOffload offload;
    private final PagedKvCache draftCache;
    private final ForwardState draftState;
    private final float[][] hostDraftKeys;
    private final float[][] hostDraftValues;
    private final int draftBlockFloats;
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

    /** Kernel sets the forward pass can run on. */
    public enum Backend {
        /** Vector API kernels, rows split over a thread pool. */
        CPU_VECTOR("cpu-vector"),
        /** Scalar reference kernels on one thread (slow; for checking). */
        CPU_REFERENCE("cpu-reference"),
        /**
         * F32 and Q8_0 weight matmuls on TornadoVM's default device (OpenCL, PTX or SPIR-V), the rest on the Vector API
         * kernels. Needs the {@code kernels/tornadovm} module and a TornadoVM SDK at run time.
         */
        TORNADOVM("tornadovm");

        private final String id;

        Backend(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        /** The backend named {@code id}. */
        public static Backend fromId(String id) {
            for (var b : values()) if (b.id.equals(id)) return b;
            throw new IllegalArgumentException("unknown backend '" + id + "'; accepted: cpu-vector, cpu-reference, tornadovm");
        }
    }

    /**
     * A model file mapped once and shared by the executors of all replicas (the weights are read-only views of the
     * mapping). Close it after the run.
     */
    public static final class LoadedModel implements AutoCloseable {
        private final Path path;
        private final GgufFile file;
        private final Llama llama;

        private LoadedModel(Path path, GgufFile file, Llama llama) {
            this.path = path;
            this.file = file;
            this.llama = llama;
        }

        /** Maps and checks {@code path}; a bad file fails with a message naming the file and what is wrong. */
        public static LoadedModel open(Path path) throws IOException {
            if (!Files.isRegularFile(path)) throw new IOException("model file " + path + " does not exist");
            GgufFile file = null;
            try {
                file = GgufFile.open(path);
                return new LoadedModel(path, file, Llama.load(file));
            } catch (GgufFormatException | IllegalArgumentException e) {
                if (file != null) file.close();
                throw new IOException("model file " + path + " cannot be used: " + e.getMessage(), e);
            }
        }

        public Llama llama() {
            return llama;
        }

        public Path path() {
            return path;
        }

        /** E.g. {@code model.gguf: llama, 12 layers, width 1024, vocabulary 128256, 136.2 M parameters, Q8_0}. */
        public String describe() {
            var c = llama.config();
            boolean tied = file.find("output.weight").isEmpty();
            return String.format(Locale.ROOT, "%s: llama, %d layers, width %d, %d/%d heads, vocabulary %d, %.1f M "
                            + "parameters, %s", path.getFileName(), c.layers(), c.dim(), c.heads(), c.kvHeads(),
                    c.vocabularySize(), c.parameters(tied) / 1e6, llama.weights().layers().getFirst().wq().format());
        }

        /** Bytes of one KV block of {@code blockSizeTokens} positions (keys and values, all layers, F32). */
        public long kvBlockBytes(int blockSizeTokens) {
            var c = llama.config();
            return 2L * c.layers() * c.kvHeads() * c.headDim() * blockSizeTokens * Float.BYTES;
        }

        @Override
        public void close() {
            file.close();
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
        this.model = model;
        this.options = options;
        var c = model.llama().config();
        long floats = (long) (blocks + scratchBlocks(blocks)) * blockSizeTokens * c.kvHeads() * c.headDim();
        if (floats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(blocks + " KV blocks of " + blockSizeTokens + " tokens need " + floats
                    + " floats per layer, more than one Java array holds; use fewer kv.blocks");
        }
        this.engineBlocks = blocks;
        this.scratchBlocks = scratchBlocks(blocks);
        this.cache = new PagedKvCache(c.layers(), c.kvHeads(), c.headDim(), blockSizeTokens, blocks + scratchBlocks);
        var vector = Kernels.vector(Parallel.of(options.threads() > 0 ? options.threads()
                : Runtime.getRuntime().availableProcessors()));
        Kernels kernels = vector;
        Backend inUse = options.backend();
        String note = "";
        MatmulOffload offloaded = null;
        switch (options.backend()) {
            case CPU_REFERENCE -> kernels = Kernels.reference();
            case CPU_VECTOR -> {}
            case TORNADOVM -> {
                try {
                    offloaded = tornadoVm();
                    kernels = Kernels.offload(vector, offloaded);
                    note = offloaded.describe();
                } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                    inUse = Backend.CPU_VECTOR;
                    note = "tornadovm requested but unavailable (" + reason(e) + "); ran on cpu-vector";
                }
            }
        }
        this.backendInUse = inUse;
        this.backendNote = note;
        this.offload = offloaded;
        this.state = new ForwardState(c, kernels);
        this.blockFloats = c.kvHeads() * blockSizeTokens * c.headDim();
        long hostFloats = (long) hostBlocks * blockFloats;
        if (hostFloats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(hostBlocks + " host blocks need " + hostFloats
                    + " floats per layer, more than one Java array holds; use fewer kv.host_blocks");
        }
        this.hostKeys = new float[hostBlocks > 0 ? c.layers() : 0][(int) hostFloats];
        this.hostValues = new float[hostBlocks > 0 ? c.layers() : 0][(int) hostFloats];
        this.tokenSpace = ordinaryTokens(model.llama());
        this.draft = draft;
        if (draft != null) {
            var d = draft.llama().config();
            if (d.vocabularySize() != c.vocabularySize()) {
                throw new IllegalArgumentException("draft model " + draft.path().getFileName() + " has a vocabulary of "
                        + d.vocabularySize() + " tokens, the target " + c.vocabularySize() + ": drafts must be target tokens");
            }
            this.draftCache = new PagedKvCache(d.layers(), d.kvHeads(), d.headDim(), blockSizeTokens, blocks + scratchBlocks);
            this.draftState = new ForwardState(d, kernels);
            this.draftBlockFloats = d.kvHeads() * blockSizeTokens * d.headDim();
            long hostDraftFloats = (long) hostBlocks * draftBlockFloats;
            this.hostDraftKeys = new float[hostBlocks > 0 ? d.layers() : 0][(int) hostDraftFloats];
            this.hostDraftValues = new float[hostBlocks > 0 ? d.layers() : 0][(int) hostDraftFloats];
        } else {
            this.draftCache = null;
            this.draftState = null;
            this.draftBlockFloats = 0;
            this.hostDraftKeys = this.hostDraftValues = new float[0][];
        }
    }

    /**
     * The TornadoVM matmul offload of {@code kernels/tornadovm}, loaded by name so that the default build and class
     * path need no TornadoVM.
     */
    private static MatmulOffload tornadoVm() throws ReflectiveOperationException {
        var type = Class.forName("servelab.kernels.tornado.TornadoMatmul");
        return (MatmulOffload) type.getMethod("create").invoke(null);
    }

    private static String reason(Throwable e) {
        if (e instanceof ClassNotFoundException) {
            return "servelab-kernels-tornadovm is not on the class path: build it with -Ptornadovm and run with "
                    + "TORNADOVM_HOME set (see kernels/README.md)";
        }
        var cause = e instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    /** The ids below the first special token: prompt tokens made for a trace without text are drawn from them. */
    private static TokenSpace ordinaryTokens(Llama llama) {
        var tokenizer = llama.tokenizer();
        int n = 0;
        while (n < tokenizer.vocabularySize() && !tokenizer.isSpecial(n)) n++;
        return new TokenSpace(0, Math.max(1, n));
    }

    @Override
    public long execute(StepBatch batch) {
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
        Logits logits;
        try {
            logits = Forward.step(model.llama(), state, cache, chunks);
            if (draft != null) { // the draft's KV for the same positions, no logits
                var draftChunks = new ArrayList<SequenceChunk>(chunks.size());
                for (var chunk : chunks) draftChunks.add(new SequenceChunk(chunk.tokens(), chunk.startPosition(), chunk.kv(), 0));
                Forward.step(draft.llama(), draftState, draftCache, draftChunks);
            }
        } catch (IllegalArgumentException e) {
            throw new EngineException("forward pass refused the step: " + e.getMessage(), e);
        }
        for (int c = 0; c < chunks.size(); c++) {
            if (logits.rows(c) == 0) continue;
            int i = itemOfChunk[c];
            int drafts = batch.draftTokens(i);
            if (drafts > 0) {
                for (int token : verify(batch, i, c, logits).tokens()) batch.emit(i, token);
                continue;
            }
            int position = batch.startPosition(i) + batch.tokens(i); // the position the sampled token will take
            int token = sampler(batch.seqId(i), position).sample(logits.values(), logits.offset(c, 0),
                    logits.vocabularySize());
            batch.emit(i, token);
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
            throw new EngineException("the draft-model speculator needs a draft model: set model.draft_path (a smaller "
                    + "GGUF with the target's vocabulary)");
        }
        var drafter = separate ? draft.llama() : model.llama();
        var drafterState = separate ? draftState : state;
        var drafterCache = separate ? draftCache : cache;
        var c = drafter.config();
        int use = separate ? c.layers() : layers == 0 ? Math.max(1, c.layers() / 2) : Math.min(layers, c.layers());
        int blockSize = cache.blockSize();
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
            Logits logits;
            try {
                logits = Forward.step(drafter, drafterState, drafterCache, step, use);
            } catch (IllegalArgumentException e) {
                throw new EngineException("layer-skip draft pass refused: " + e.getMessage(), e);
            }
            for (int r = 0; r < step.size(); r++) {
                int s = rowOf[r];
                current[s] = servelab.kernels.sample.Sampler.argmax(logits.values(), logits.offset(r, 0),
                        logits.vocabularySize());
                drafts[s][j] = current[s];
            }
        }
        for (int s = 0; s < n; s++) batch.draft(seqs.get(s), drafts[s], drafts[s].length);
        return Math.max(1, System.nanoTime() - t0);
    }

    /** The step's KV transfers, as the engine lists them: every swap-out (device to host), then every swap-in. */
    private void copyBlocks(StepBatch batch) {
        for (int j = 0; j < batch.swapOuts(); j++) {
            int from = batch.swapOutDevice(j) * blockFloats, to = batch.swapOutHost(j) * blockFloats;
            for (int l = 0; l < hostKeys.length; l++) {
                System.arraycopy(cache.keys(l), from, hostKeys[l], to, blockFloats);
                System.arraycopy(cache.values(l), from, hostValues[l], to, blockFloats);
            }
            int dFrom = batch.swapOutDevice(j) * draftBlockFloats, dTo = batch.swapOutHost(j) * draftBlockFloats;
            for (int l = 0; l < hostDraftKeys.length; l++) {
                System.arraycopy(draftCache.keys(l), dFrom, hostDraftKeys[l], dTo, draftBlockFloats);
                System.arraycopy(draftCache.values(l), dFrom, hostDraftValues[l], dTo, draftBlockFloats);
            }
        }
        for (int j = 0; j < batch.swapIns(); j++) {
            int from = batch.swapInHost(j) * blockFloats, to = batch.swapInDevice(j) * blockFloats;
            for (int l = 0; l < hostKeys.length; l++) {
                System.arraycopy(hostKeys[l], from, cache.keys(l), to, blockFloats);
                System.arraycopy(hostValues[l], from, cache.values(l), to, blockFloats);
            }
            int dFrom = batch.swapInHost(j) * draftBlockFloats, dTo = batch.swapInDevice(j) * draftBlockFloats;
            for (int l = 0; l < hostDraftKeys.length; l++) {
                System.arraycopy(hostDraftKeys[l], dFrom, draftCache.keys(l), dTo, draftBlockFloats);
                System.arraycopy(hostDraftValues[l], dFrom, draftCache.values(l), dTo, draftBlockFloats);
            }
        }
    }

    /**
     * Verifies item {@code i}'s drafts against its k + 1 logit rows: greedy match under greedy sampling (the output is
     * token for token what plain decoding gives), else rejection sampling with the drafts as a one-hot proposal (the
     * output is distributed as plain sampling's).
     */
    private Verification verify(StepBatch batch, int i, int chunk, Logits logits) {
        var chunkTokens = chunks.get(chunk).tokens();
        var draft = Arrays.copyOfRange(chunkTokens, 1, chunkTokens.length);
        int vocabulary = logits.vocabularySize();
        var sampling = options.sampling();
        if (sampling.isGreedy()) return SpeculativeVerifier.greedy(draft, logits.values(), logits.offset(chunk, 0), vocabulary);
        var target = new float[draft.length + 1][];
        for (int j = 0; j <= draft.length; j++) {
            target[j] = sampling.probabilities(logits.values(), logits.offset(chunk, j), vocabulary);
        }
        int position = batch.startPosition(i) + 1; // where the first new token goes
        return SpeculativeVerifier.rejection(draft, target, sampler(batch.seqId(i), position).random());
    }

    /**
     * Runs throw-away steps for about {@code seconds} (at least three) so that the JIT has compiled the kernels
     * before the first timed step; otherwise the first requests of a run pay for compilation. The steps write
     * positions of block 0 onwards, which the engine has not handed out yet; nothing reads them later, because the
     * engine only lets a sequence attend to positions it computed itself or found in the prefix cache.
     *
     * @return steps run
     */
    public int warmUp(double seconds) {
        var c = model.llama().config();
        int blockSize = cache.blockSize();
        int prefill = Math.min(64, c.contextLength() - 8);
        int blocksNeeded = (prefill + 8 + blockSize - 1) / blockSize;
        if (blocksNeeded > cache.blocks() || prefill < 1) return 0;
        var table = new int[blocksNeeded];
        for (int b = 0; b < table.length; b++) table[b] = b;
        var address = new KvAddress.Blocks(table);
        var prompt = new int[prefill];
        for (int i = 0; i < prompt.length; i++) prompt[i] = tokenSpace.first() + i % tokenSpace.count();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        int steps = 0;
        while (steps < 3 || System.nanoTime() < deadline) {
            Forward.step(model.llama(), state, cache, List.of(SequenceChunk.prefill(prompt, 0, address, true)));
            for (int d = 0; d < 8; d++) {
                Forward.step(model.llama(), state, cache, List.of(SequenceChunk.decode(prompt[d], prefill + d, address)));
            }
            steps += 9;
        }
        return steps;
    }

    /** A sampler for one token: its randomness depends only on the run seed, the request and the position. */
    private SeededSampler sampler(long seqId, int position) {
        long seed = options.seed() * 0x9E3779B97F4A7C15L + seqId * 0xC2B2AE3D27D4EB4FL + position;
        return SeededSampler.of(options.sampling(), seed);
    }

    @Override
    public TokenSpace tokenSpace() {
        return tokenSpace;
    }

    @Override
    public int maxSequenceTokens() {
        int target = model.llama().config().contextLength();
        return draft == null ? target : Math.min(target, draft.llama().config().contextLength());
    }

    @Override
    public String describe() {
        var s = options.sampling();
        String sampling = s.isGreedy() ? "greedy" : String.format(Locale.ROOT,
                "temperature %s, top-k %d, top-p %s, min-p %s", s.temperature(), s.topK(), s.topP(), s.minP());
        return "model: " + model.describe() + " on " + backendInUse.id()
                + (backendNote.isEmpty() ? "" : " [" + backendNote + "]") + " ("
                + state.kernels().parallel().threads() + " threads), " + sampling + ", " + engineBlocks
                + " KV blocks of " + cache.blockSize() + (draft == null ? "" : "; draft " + draft.describe());
    }

    /** The backend in use, for run.json: the one asked for, or cpu-vector when TornadoVM was unavailable. */
    public Backend backend() {
        return backendInUse;
    }

    /** What runs the matmuls, or why the asked-for backend was not used ({@code ""} when there is nothing to say). */
    public String backendNote() {
        return backendNote;
    }

    /** Frees the offload's device memory, if any. */
    public void close() {
        if (offload != null) offload.close();
    }

    /** Bytes of the KV pool. */
    public long kvPoolBytes() {
        return cache.blocks() * cache.blockBytes() + (draftCache == null ? 0 : draftCache.blocks() * draftCache.blockBytes());
    }
}
