package servelab.runtime.exec.cost;

/**
 * Step times from a fit to measured steps ({@link TableFit}: non-negative linear model, relative least squares),
 * plus the profile's engine overhead per step, sequence and token ({@link StepOverhead}, none unless stated);
 * KV capacity and swap times from the profile's model shapes and device, as in the roofline.
 * Refuses a table whose fit is worse than the profile's {@code measured.max_relative_error}, so a simulation never
 * silently runs on a model that does not reproduce its own measurements. Immutable and thread-safe.
 */
public final class MeasuredCostModel implements CostModel {
    private final CostProfile profile;
    private final TableFit fit;
    private final StepOverhead overhead;
    private final DeviceMemory memory;

    /** @throws CostProfileException if the profile has no measured table, or the fit misses a row by more than allowed */
    public MeasuredCostModel(CostProfile profile) {
        var measured = profile.measured().orElseThrow(() -> new CostProfileException(profile.source(), "measured",
                "is missing; a measured cost model needs a measured: section with csv and max_relative_error"));
        this.profile = profile;
        this.fit = TableFit.fit(measured.rows(), measured.tokenFactors());
        this.overhead = measured.overhead();
        this.memory = new DeviceMemory(profile);
        if (fit.maxRelativeError() > measured.maxRelativeError()) {
            var worst = measured.rows().get(fit.worstRow());
            throw new CostProfileException(profile.source(), "measured.max_relative_error", String.format(
                    "is %.3f but the fit to %s misses row %d (%s) by %.3f; fit: %s. Add rows near it, drop outliers"
                            + " or accept a larger error",
                    measured.maxRelativeError(), measured.csv(), fit.worstRow() + 1, worst, fit.maxRelativeError(),
                    fit.summary()));
        }
    }

    @Override
    public long stepNanos(int prefillTokens, int decodeTokens, int batchSeqs, long prefillAttentionPairs,
                          long decodeContextTokens) {
        RooflineCostModel.checkArguments(prefillTokens, decodeTokens, batchSeqs, prefillAttentionPairs, decodeContextTokens);
        if (prefillTokens == 0 && decodeTokens == 0) return 0;
        double table = fit.predictNanos(prefillTokens, decodeTokens, batchSeqs, prefillAttentionPairs, decodeContextTokens);
        // an absent overhead adds exactly 0.0, so a profile without one prices every step as before it existed
        return Math.round(table + overhead.nanos(batchSeqs, table));
    }

    @Override
    public long modelLoadNanos() {
        return memory.modelLoadNanos();
    }

    @Override
    public long swapNanos(int blocks, int blockSizeTokens) {
        return memory.swapNanos(blocks, blockSizeTokens);
    }

    @Override
    public int kvCapacityBlocks(int blockSizeTokens) {
        return memory.kvCapacityBlocks(blockSizeTokens);
    }

    @Override
    public String describe() {
        var table = String.format("measured %s (%d rows, rms error %.1f%%, max %.1f%%)", profile.target(), fit.rows(),
                100 * fit.rmsRelativeError(), 100 * fit.maxRelativeError());
        return overhead.isNone() ? table : table + " + engine overhead " + overhead.summary();
    }

    public TableFit fit() {
        return fit;
    }

    /** What every step pays beyond the table ({@link StepOverhead#NONE} when the profile states none). */
    public StepOverhead overhead() {
        return overhead;
    }

    @Override
    public int maxModelLen() {
        return profile.serving().maxModelLen();
    }

    public CostProfile profile() {
        return profile;
    }
}
