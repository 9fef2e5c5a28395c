package servelab.runtime.exec;

import java.util.Map;

import servelab.runtime.engine.Executor;
import servelab.runtime.exec.cost.CostModel;
import servelab.runtime.exec.cost.CostModels;

/**
 * The simulated world: every replica's executor prices steps with the profile's cost model on the virtual clock.
 * Every built-in plugin runs here (the speculators that draft in an executor draft placeholders for the acceptance
 * model), so it refuses none; KV defaults to what the profile's device memory holds.
 */
public final class SimulatedSetup implements ExecutorSetup {
    private final Settings settings;
    private final CostModel cost;
    private Executor first;

    /**
     * @param profile    cost-model profile: a bundled name or a YAML file
     * @param acceptance how many drafts a verification accepts
     * @param draftCost  cost of proposing one draft token, as a fraction of a decode step (see {@link SimulatedExecutor})
     */
    public record Settings(String profile, AcceptanceModel acceptance, double draftCost) {}

    private SimulatedSetup(Settings settings, CostModel cost) {
        this.settings = settings;
        this.cost = cost;
    }

    /** Loads the profile (every plugin choice is servable here). */
    public static SimulatedSetup open(Settings settings) {
        return new SimulatedSetup(settings, CostModels.load(settings.profile()));
    }

    @Override
    public int defaultKvBlocks(int blockSize) {
        return cost.kvCapacityBlocks(blockSize);
    }

    @Override
    public Executor executor(int replica, int blockSize, int blocks, int hostBlocks) {
        var executor = new SimulatedExecutor(cost, blockSize, settings.acceptance(), settings.draftCost());
        if (first == null) first = executor;
        return executor;
    }

    @Override
    public long modelLoadNanos() {
        return cost.modelLoadNanos();
    }

    @Override
    public void describe(Map<String, Object> info) {
        info.put("executor", first.describe());
        info.put("backend", "simulated");
        info.put("profile", settings.profile());
    }

    @Override
    public void close() {}
}
