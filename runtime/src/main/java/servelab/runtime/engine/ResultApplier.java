package servelab.runtime.engine;

/**
 * The last stage of a step (schedule, run, postprocess): turns the executor's {@link StepResult} into the planned
 * sequences' progress. A prefill chunk moves the computed count; a step that computed a sequence's last token gives
 * it the sampled token; a verification keeps the accepted drafts and gives back the blocks of the rejected ones; a
 * sequence that reached its output length finishes. Apart from {@link Replica} so that the step reads as its stages
 * and so that what an executor must report (a token per sampled sequence, an acceptance per verification) is checked
 * in one place.
 */
final class ResultApplier {
    private final Executor executor;
    private final PlanBuilder plan;
    private final StepResult result;
    private final KvManager kv;
    private final Speculation speculation;
    private final SequenceQueues queues;
    private final ResultSink sink;
    private final StepFinishing finishing;
    /** Whether the executor samples real token ids (the model executor), not just counts (the simulated one). */
    private final boolean realTokens;

    ResultApplier(Executor executor, PlanBuilder plan, StepResult result, KvManager kv, Speculation speculation,
                  SequenceQueues queues, ResultSink sink, StepFinishing finishing) {
        this.executor = executor;
        this.plan = plan;
        this.result = result;
        this.kv = kv;
        this.speculation = speculation;
        this.queues = queues;
        this.sink = sink;
        this.finishing = finishing;
        this.realTokens = executor.producesTokens();
    }

    /** Applies the step of {@code iteration} that ended at {@code end} (run-clock nanoseconds). */
    void apply(long end, long iteration) {
        boolean anyFinished = false;
        speculation.beginResults();
        for (int i = 0; i < plan.size(); i++) {
            var seq = plan.seq(i);
            int drafts = plan.draftTokens(i);
            int before = seq.outputTokens;
            if (drafts > 0) {
                applyVerification(seq, i, drafts, end, iteration);
            } else {
                seq.computedTokens += plan.tokens(i);
                kv.publish(seq);
                if (seq.uncomputedTokens() > 0) continue; // a prefill chunk that did not reach the end of the prompt
                // all tokens computed: the step sampled the next one
                if (realTokens) {
                    if (result.emitted(i) != 1) throw noToken(seq, iteration);
                    keep(seq, result.token(i, 0));
                }
                if (seq.firstTokenNanos < 0) seq.firstTokenNanos = end;
                seq.tokenTimes[seq.outputTokens++] = end;
            }
            if (seq.outputTokens > before) sink.tokens(seq.id(), seq.outputIds, before, seq.outputTokens, end);
            if (seq.isFinished()) {
                anyFinished = true;
                finishing.add(seq, kv.freedBy(seq)); // before its release: blocks shared with others stay held
                queues.finish(seq);
            }
        }
        if (anyFinished) queues.removeFinished();
    }

    /**
     * A verification of {@code drafts} draft tokens: the accepted ones and the token sampled after them become
     * output; keys and values stay for the last token and the accepted drafts, and the blocks allocated for the
     * rejected positions go back to the pool, so memory holds exactly what the accepted length needs.
     */
    private void applyVerification(Sequence seq, int i, int drafts, long end, long iteration) {
        int accepted;
        if (realTokens) {
            if (result.emitted(i) == 0) throw noToken(seq, iteration);
            accepted = result.emitted(i) - 1;
        } else {
            accepted = result.accepted(i);
            if (accepted < 0) {
                throw new EngineException("executor (" + executor.describe() + ") reported no acceptance for the "
                        + drafts + " drafts of " + seq + " at iteration " + iteration);
            }
        }
        seq.computedTokens += 1 + accepted; // the last token and the accepted drafts; the new last token is not
        for (int j = 0; j <= accepted; j++) {
            if (realTokens) keep(seq, result.token(i, j));
            seq.tokenTimes[seq.outputTokens++] = end;
        }
        kv.trim(seq, seq.computedTokens);
        kv.publish(seq);
        speculation.verified(seq, drafts, accepted);
    }

    private EngineException noToken(Sequence seq, long iteration) {
        return new EngineException("executor (" + executor.describe() + ") sampled no token for " + seq
                + " at iteration " + iteration);
    }

    /** Stores a token the executor sampled as the sequence's next output token (before the count moves past it). */
    private static void keep(Sequence seq, int token) {
        if (seq.outputIds == null) seq.outputIds = new int[seq.request.outputTokens()];
        seq.outputIds[seq.outputTokens] = token;
    }
}
