package servelab.runtime.calibrate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import servelab.kernels.sample.SamplingParams;
import servelab.runtime.calibrate.GridPoint.Decode;
import servelab.runtime.engine.Executor;
import servelab.runtime.engine.StepBatch;
import servelab.runtime.engine.StepResult;
import servelab.runtime.exec.Backend;
import servelab.runtime.exec.LoadedModel;
import servelab.runtime.exec.ModelExecutor;
import servelab.runtime.exec.ModelSetup;
import servelab.runtime.exec.cost.MeasuredStep;
import servelab.runtime.exec.cost.TableFit;

/**
 * Runs the model executor over a {@link CalibrationGrid} and fits the measured model. The executor, its KV pool
 * (the size a run gets by default) and its JIT warm-up are those of {@code servelab run --model}, and each step's
 * time is what {@code execute} returns, the figure the engine records for a real step.
 *
 * <p>Noise on a shared machine: every round runs the whole grid in a new seeded random order (so a slow minute
 * spreads over all points instead of biasing a few), a first round is thrown away (JIT compilation of shapes the
 * warm-up did not reach), and each point's time is the median of its rounds. Rounds repeat until the time budget is
 * spent, at least {@link #MIN_ROUNDS}.
 */
public final class Calibrator {
    static final int MIN_ROUNDS = 3;
    static final int MAX_ROUNDS = 1000;
    /** Blocks copied out and back in by the swap-timing step. */
    static final int SWAP_BLOCKS = 128;

    /**
     * @param model     GGUF file
     * @param backend   kernels of the forward pass
     * @param threads   kernel threads (0: one per processor)
     * @param quick     the small grid
     * @param seconds   measuring time to aim for (rounds are added while it lasts)
     * @param blockSize KV block size in tokens
     * @param seed      order of the points within rounds
     */
    public record Settings(Path model, Backend backend, int threads, boolean quick, double seconds, int blockSize,
                           long seed) {
        public Settings {
            if (!(seconds >= 0)) throw new IllegalArgumentException("seconds must be >= 0, was " + seconds);
            if (blockSize < 1) throw new IllegalArgumentException("block size must be >= 1, was " + blockSize);
        }
    }

    /** Called after every measured step: steps done and planned (the plan is known after the first round). */
    public interface Progress {
        void update(long done, long total);
    }

    private Calibrator() {}

    public static Calibration run(Settings s, Progress progress) throws IOException {
        var options = new ModelExecutor.Options(SamplingParams.greedy(), s.seed(), s.backend(), s.threads());
        try (var setup = ModelSetup.open(new ModelSetup.Settings(s.model().toString(), null, options, s.quick() ? 0.5 : 2),
                Map.of());
             var model = LoadedModel.open(s.model())) {
            int pool = setup.defaultKvBlocks(s.blockSize());
            var shape = shape(model);
            var grid = CalibrationGrid.design(shape.contextLength(), pool - SWAP_BLOCKS - 1, s.blockSize(), s.quick());
            var executor = setup.executor(0, s.blockSize(), pool, SWAP_BLOCKS);
            // each step's blocks scattered over the pool, as an engine's are after a while (SyntheticStep)
            var steps = new ArrayList<SyntheticStep>();
            long blockSeed = s.seed();
            for (var p : grid.points()) {
                steps.add(new SyntheticStep(p, s.blockSize(), executor.tokenSpace(), 0,
                        SyntheticStep.scattered(pool, ++blockSeed)));
            }
            var plain = new SyntheticStep(GridPoint.of(new Decode(0)), s.blockSize(), executor.tokenSpace(), 0,
                    SyntheticStep.scattered(pool, ++blockSeed));
            var swapping = new SyntheticStep(GridPoint.of(new Decode(0)), s.blockSize(), executor.tokenSpace(), SWAP_BLOCKS,
                    SyntheticStep.scattered(pool, ++blockSeed));
            var measured = measure(executor, steps, plain, swapping, s, progress);
            return calibration(executor.describe(), shape, grid, measured, pool, s, model);
        }
    }

    /** Per point, its times in nanoseconds over the rounds; the last two entries are the plain and swapping steps. */
    private static List<long[]> measure(Executor executor, List<SyntheticStep> steps, SyntheticStep plain,
                                        SyntheticStep swapping, Settings s, Progress progress) {
        var all = new ArrayList<SyntheticStep>(steps);
        all.add(plain);
        all.add(swapping);
        var result = new StepResult();
        for (var step : all) time(executor, step, result); // warm-up round: not recorded
        var rounds = new ArrayList<long[]>();
        var random = new SplittableRandom(s.seed());
        long start = System.nanoTime();
        long budget = (long) (s.seconds() * 1e9);
        long done = 0;
        while (rounds.size() < MIN_ROUNDS || (rounds.size() < MAX_ROUNDS && System.nanoTime() - start < budget)) {
            var order = shuffled(all.size(), random);
            var round = new long[all.size()];
            long elapsed = System.nanoTime() - start;
            long planned = plannedRounds(rounds.size(), elapsed, budget) * all.size();
            for (int i : order) {
                round[i] = time(executor, all.get(i), result);
                progress.update(++done, Math.max(planned, done));
            }
            rounds.add(round);
        }
        var times = new ArrayList<long[]>();
        for (int i = 0; i < all.size(); i++) {
            var t = new long[rounds.size()];
            for (int r = 0; r < t.length; r++) t[r] = rounds.get(r)[i];
            times.add(t);
        }
        return times;
    }

    /** 0 .. n - 1 in a random order drawn from {@code random} (Fisher-Yates). */
    static int[] shuffled(int n, SplittableRandom random) {
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** Rounds the budget allows at the pace so far (before the first round: the minimum). */
    private static long plannedRounds(int roundsDone, long elapsedNanos, long budgetNanos) {
        if (roundsDone == 0) return MIN_ROUNDS;
        long perRound = elapsedNanos / roundsDone;
        long fit = roundsDone + Math.max(0, (budgetNanos - elapsedNanos + perRound - 1) / Math.max(1, perRound));
        return Math.clamp(fit, MIN_ROUNDS, MAX_ROUNDS);
    }

    private static long time(Executor executor, StepBatch step, StepResult result) {
        result.reset(step);
        return executor.execute(step, result);
    }

    private static Calibration calibration(String description, Calibration.ModelShape shape, CalibrationGrid grid,
                                           List<long[]> times, int pool, Settings s, LoadedModel model) {
        var rows = new ArrayList<MeasuredStep>();
        var training = new ArrayList<MeasuredStep>();
        var spreads = new double[grid.size()];
        for (int i = 0; i < grid.size(); i++) {
            var sorted = times.get(i).clone();
            Arrays.sort(sorted);
            double median = quantile(sorted, 0.5);
            spreads[i] = (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / median;
            var row = grid.points().get(i).row(median / 1e6);
            rows.add(row);
            if (!grid.heldOut()[i]) training.add(row);
        }
        var trainFit = TableFit.fit(training); // the same fit heldOutError makes, kept for the record
        var plain = times.get(grid.size()).clone();
        var swapping = times.get(grid.size() + 1).clone();
        Arrays.sort(plain);
        Arrays.sort(swapping);
        // the swap step copies SWAP_BLOCKS out and as many back in: 2 x SWAP_BLOCKS block copies
        double perBlock = Math.max(1, (quantile(swapping, 0.5) - quantile(plain, 0.5)) / (2.0 * SWAP_BLOCKS));
        Arrays.sort(spreads);
        double[] heldOutError = Calibration.heldOutError(rows, grid.heldOut(), true);
        return new Calibration(description, shape, rows, grid.heldOut(), trainFit, heldOutError[0], heldOutError[1],
                TableFit.fit(rows), quantile(spreads, 0.5), times.getFirst().length, pool, s.blockSize(),
                model.kvBlockBytes(s.blockSize()), perBlock, provenance(s));
    }

    private static double quantile(double[] sorted, double q) {
        double rank = q * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }

    private static double quantile(long[] sorted, double q) {
        return quantile(Arrays.stream(sorted).asDoubleStream().toArray(), q);
    }

    static Calibration.ModelShape shape(LoadedModel model) {
        var c = model.llama().config();
        var w = model.llama().weights();
        String name = model.path().getFileName().toString().replaceFirst("\\.gguf$", "");
        String dtype = w.layers().getFirst().wq().format().name().toLowerCase(java.util.Locale.ROOT);
        return new Calibration.ModelShape(name, c.layers(), c.dim(), c.heads(), c.kvHeads(), c.headDim(), c.ffnDim(),
                c.vocabularySize(), w.classifier() == w.tokenEmbedding(), dtype, c.contextLength());
    }

    /** Where the numbers were measured, for the profile's derivation and the CSV's comments. */
    static Map<String, String> provenance(Settings s) {
        int kernelThreads = s.backend() == servelab.runtime.exec.Backend.CPU_REFERENCE ? 1
                : s.threads() > 0 ? s.threads() : Runtime.getRuntime().availableProcessors();
        var p = new LinkedHashMap<String, String>();
        p.put("machine", hostName());
        p.put("cpu", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " processors visible");
        // the threads the kernels ran on (cpu-reference runs one whatever was asked: it said "2 kernel threads")
        p.put("threads", Integer.toString(kernelThreads));
        p.put("backend", s.backend().id());
        p.put("jdk", Runtime.version() + " (" + System.getProperty("java.vendor") + ")");
        p.put("date", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        p.put("servelab", servelabVersion());
        p.put("load_average", String.format(java.util.Locale.ROOT, "%.2f",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        return p;
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown host";
        }
    }

    private static String cpuModel() {
        try {
            for (var line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }

    private static String servelabVersion() {
        var v = Calibrator.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
