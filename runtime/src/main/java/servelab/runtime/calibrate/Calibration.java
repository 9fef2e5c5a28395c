package servelab.runtime.calibrate;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import servelab.runtime.exec.cost.MeasuredStep;
import servelab.runtime.exec.cost.TableFit;

/**
 * What a calibration measured: one row per designed step (the median of its repeats), the fit's error on the
 * held-out rows, the KV pool and the time a block copy takes, and where it was measured.
 *
 * @param model            the model, as the executor describes it
 * @param shape            the model's shapes and weight format, for the profile's {@code model:} section
 * @param rows             every designed step's median time, in design order
 * @param heldOut          per row: held out of {@code trainFit}
 * @param trainFit         fit to the rows not held out
 * @param heldOutRms       root mean square relative error of {@code trainFit} on the held-out rows
 * @param heldOutMax       largest such error
 * @param fullFit          fit to every row: the one the written profile reproduces
 * @param spread           median over rows of (p75 - p25) / median of a row's repeats: how noisy the machine was
 * @param rounds           repeats of every designed step (after the excluded warm-up round)
 * @param poolBlocks       KV blocks of the real pool (the model executor's default)
 * @param blockSize        tokens per block
 * @param kvBlockBytes     bytes of one block (keys and values of every layer)
 * @param copyNanosPerBlock measured time to copy one block between the pool and the host tier
 * @param provenance       machine, CPU, threads, JDK, date, ServeLab version, load average, in order
 */
public record Calibration(String model, ModelShape shape, List<MeasuredStep> rows, boolean[] heldOut, TableFit trainFit,
                          double heldOutRms, double heldOutMax, TableFit fullFit, double spread, int rounds,
                          int poolBlocks, int blockSize, long kvBlockBytes, double copyNanosPerBlock,
                          Map<String, String> provenance) {

    public Calibration {
        rows = List.copyOf(rows);
        Objects.requireNonNull(trainFit, "trainFit");
        Objects.requireNonNull(fullFit, "fullFit");
        if (heldOut.length != rows.size()) throw new IllegalArgumentException("heldOut must have one flag per row");
    }

    /**
     * The model as the profile's {@code model:} section states it.
     *
     * @param weightDtype profile name of the weight format ({@code q8_0}, {@code f32}, ...)
     */
    public record ModelShape(String name, int layers, int hiddenSize, int attentionHeads, int kvHeads, int headDim,
                             int intermediateSize, int vocabSize, boolean tiedEmbeddings, String weightDtype,
                             int contextLength) {}

    /** Bytes per second one block copy moves: the profile's host link (with efficiency 1). */
    public double hostLinkBytesPerS() {
        return kvBlockBytes / copyNanosPerBlock * 1e9;
    }

    /**
     * The held-out error of a fit to the other rows: {@code {rms, max}} of the relative error on the held-out rows.
     * With {@code tokenFactors} false it is the planes alone ({@code heldOutRms} and {@code heldOutMax} are the fit
     * with its token-count factors), so a calibration shows what the factors gained.
     */
    public double[] heldOutError(boolean tokenFactors) {
        return heldOutError(rows, heldOut, tokenFactors);
    }

    /** {@link #heldOutError(boolean)} of {@code rows} with {@code heldOut} flags. */
    static double[] heldOutError(List<MeasuredStep> rows, boolean[] heldOut, boolean tokenFactors) {
        var training = new java.util.ArrayList<MeasuredStep>();
        for (int i = 0; i < rows.size(); i++) if (!heldOut[i]) training.add(rows.get(i));
        var fit = servelab.runtime.exec.cost.TableFit.fit(training, tokenFactors);
        double sumSquares = 0, max = 0;
        int held = 0;
        for (int i = 0; i < rows.size(); i++) {
            if (!heldOut[i]) continue;
            double e = fit.relativeError(rows.get(i));
            sumSquares += e * e;
            max = Math.max(max, e);
            held++;
        }
        return new double[] {held == 0 ? 0 : Math.sqrt(sumSquares / held), max};
    }

    /** Rows held out. */
    public long heldOutRows() {
        int n = 0;
        for (boolean h : heldOut) if (h) n++;
        return n;
    }
}
