package servelab.runtime.calibrate;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import servelab.runtime.calibrate.GridPoint.Decode;
import servelab.runtime.calibrate.GridPoint.Prefill;
import servelab.runtime.calibrate.GridPoint.Work;

/**
 * The designed steps of a calibration, and which of them are held out of the fit to measure its error.
 *
 * <p>The design covers each term of the measured model (see {@code TableFit}) with rows where it varies while the
 * others do not: prefill chunks of several sizes from scratch and after a cached prefix (tokens apart from attention
 * pairs), decode batches of several sizes at several context lengths (tokens apart from context), several prefill
 * chunks in one step (sequences apart from tokens) and mixed steps (a chunk beside decodes, as continuous batching
 * runs them). Sizes double, because step time is near-linear in each and the fit weighs rows by relative error.
 * Every fifth point (by position in the design) is held out: it is measured like the others, and the fit to the
 * rest predicts it, which estimates the error on steps the fit never saw.
 *
 * @param points   every designed step, in design order
 * @param heldOut  for each point, whether it is held out of the fit used to estimate the error
 */
public record CalibrationGrid(List<GridPoint> points, boolean[] heldOut) {
    /** Every HOLD_OUT-th point is held out. */
    static final int HOLD_OUT = 5;

    public CalibrationGrid {
        points = List.copyOf(points);
        if (heldOut.length != points.size()) throw new IllegalArgumentException("heldOut must have one flag per point");
    }

    /**
     * The design for a model of {@code contextLength} positions whose pool has {@code poolBlocks} blocks of
     * {@code blockSize}: points that do not fit the context or the pool are left out.
     *
     * @param quick a smaller design (about a third of the points) for tests and smoke runs
     */
    public static CalibrationGrid design(int contextLength, int poolBlocks, int blockSize, boolean quick) {
        int longest = Math.min(contextLength - 1, 2048);
        int[] chunks = quick ? new int[] {16, 64, 256} : new int[] {8, 16, 32, 64, 128, 256, 512};
        int[] cached = quick ? new int[] {0, longest / 2} : new int[] {0, longest / 8, longest / 4, longest / 2};
        // small batches one by one: the quantized kernels take inputs four at a time, so a step's time is a staircase
        // in its batch (5 and 6 sequences cost about 1.5x and 2x 4 sequences), which 1, 2, 4, 8 alone did not show;
        // the fit's token-count factors (TableFit) price each measured size and interpolate between them, so every
        // size to 16 (a 9-sequence step costs a third more than interpolating 8 and 12 says), then coarser
        int[] batches = quick ? new int[] {1, 4, 16}
                : IntStream.concat(IntStream.rangeClosed(1, 16), IntStream.of(24, 32, 64)).toArray();
        int[] contexts = quick ? new int[] {16, longest / 2} : new int[] {16, longest / 8, longest / 4, longest / 2, longest - 16};
        var points = new ArrayList<GridPoint>();
        for (int n : chunks) for (int p : cached) points.add(GridPoint.of(new Prefill(n, p)));
        for (int b : batches) for (int c : contexts) points.add(decodes(b, c, List.of()));
        for (int k : quick ? new int[] {4} : new int[] {2, 4, 8}) {
            var items = new ArrayList<Work>();
            for (int i = 0; i < k; i++) items.add(new Prefill(32, 0));
            points.add(new GridPoint(items));
        }
        for (int n : quick ? new int[] {64} : new int[] {32, 128, 256}) {
            for (int b : quick ? new int[] {8} : new int[] {4, 16}) {
                for (int c : quick ? new int[] {longest / 4} : new int[] {longest / 8, longest / 2}) {
                    points.add(decodes(b, c, List.of(new Prefill(n, 0))));
                }
            }
        }
        var fitting = points.stream().filter(p -> p.maxEnd() <= contextLength && p.blocks(blockSize) <= poolBlocks).toList();
        var heldOut = new boolean[fitting.size()];
        IntStream.range(0, heldOut.length).forEach(i -> heldOut[i] = i % HOLD_OUT == HOLD_OUT - 1);
        return new CalibrationGrid(fitting, heldOut);
    }

    private static GridPoint decodes(int batch, int context, List<Work> before) {
        var items = new ArrayList<>(before);
        for (int i = 0; i < batch; i++) items.add(new Decode(Math.max(0, context)));
        return new GridPoint(items);
    }

    /** The largest pool a point of the design needs, in blocks. */
    public int maxBlocks(int blockSize) {
        return points.stream().mapToInt(p -> p.blocks(blockSize)).max().orElse(0);
    }

    public int size() {
        return points.size();
    }
}
