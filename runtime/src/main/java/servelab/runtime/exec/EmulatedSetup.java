package servelab.runtime.exec;

import java.util.Map;

import servelab.runtime.engine.Executor;
import servelab.runtime.exec.cost.CostModel;
import servelab.runtime.exec.cost.CostModels;

/**
 * The emulated world: every replica's executor prices steps with the profile's cost model, as in simulation, and
 * waits on the wall clock until that time has passed ({@link EmulatedExecutor}). Several replicas behind the
 * router make a cluster on one machine. Like simulation it refuses no plugin and sizes KV from the profile.
 */
public final class EmulatedSetup implements ExecutorSetup {
    private final SimulatedSetup.Settings settings;
    private final CostModel cost;
    private Executor first;

    private EmulatedSetup(SimulatedSetup.Settings settings, CostModel cost) {
        this.settings = settings;
        this.cost = cost;
    }

    /** Loads the profile (the same settings as the simulated world's). */
    public static EmulatedSetup open(SimulatedSetup.Settings settings) {
        return new EmulatedSetup(settings, CostModels.load(settings.profile()));
    }

    @Override
    public int defaultKvBlocks(int blockSize) {
        return cost.kvCapacityBlocks(blockSize);
    }

    @Override
    public Executor executor(int replica, int blockSize, int blocks, int hostBlocks) {
        var executor = new EmulatedExecutor(new SimulatedExecutor(cost, blockSize, settings.acceptance(),
                settings.draftCost()));
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
        info.put("backend", "emulated");
        info.put("profile", settings.profile());
    }

    @Override
    public void close() {}
}
