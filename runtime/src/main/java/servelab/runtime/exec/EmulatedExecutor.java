package servelab.runtime.exec;

import java.util.concurrent.locks.LockSupport;

import servelab.runtime.engine.Executor;
import servelab.runtime.engine.SelfDraftBatch;
import servelab.runtime.engine.StepBatch;
import servelab.runtime.engine.StepResult;

/**
 * The emulated world's executor: the simulated executor's cost model, paced on the wall clock. Each step returns
 * no earlier than its modelled duration after it began, so clients of a server see the TTFT and ITL the profile
 * predicts (as llm-d-inference-sim and Dynamo's mocker do); nothing is computed and tokens are placeholders (the
 * executor has no {@link #tokenSpace() token space}). A step that takes longer than modelled (a loaded machine)
 * reports what it took.
 */
public final class EmulatedExecutor implements Executor {
    /** Below this the wait spins: parking overshoots by tens of microseconds, a visible share of a short ITL. */
    private static final long SPIN_NANOS = 60_000;

    private final SimulatedExecutor model;

    public EmulatedExecutor(SimulatedExecutor model) {
        this.model = model;
    }

    @Override
    public long execute(StepBatch batch, StepResult result) {
        long start = System.nanoTime();
        long modelled = model.execute(batch, result);
        long until = start + modelled;
        for (long left; (left = until - System.nanoTime()) > 0; ) {
            if (left > SPIN_NANOS) LockSupport.parkNanos(left - SPIN_NANOS);
            else Thread.onSpinWait();
        }
        return Math.max(modelled, System.nanoTime() - start);
    }

    @Override
    public long selfDraft(SelfDraftBatch batch, int layers, int draftTokens) {
        return model.selfDraft(batch, layers, draftTokens);
    }

    @Override
    public int maxSequenceTokens() {
        return model.maxSequenceTokens();
    }

    @Override
    public String describe() {
        return "emulated (paced on the wall clock): " + model.describe().substring("simulated: ".length());
    }
}
