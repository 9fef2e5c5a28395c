/**
 * What every batcher shares: its limits ({@link servelab.plugins.batching.common.BatchLimits}) and the step budget
 * ledger ({@link servelab.plugins.batching.common.StepLedger}). A batcher walks the scheduler's order and asks the
 * ledger for work; the ledger answers added / no tokens / no sequences / no memory / preempted itself.
 *
 * {@snippet :
 * var step = ledger.begin(order, ctx, plan);
 * for (int i = 0; i < order.running().size() && step.hasRoom(); i++) {       // running first, in order
 *     int n = Math.min(order.running().get(i).uncomputedTokens(), step.tokensLeft());
 *     if (step.run(i, n) == StepLedger.Fit.PREEMPTED_SELF) return;          // memory is gone
 * }
 * for (var seq : order.waiting()) {                                          // then admissions, in order
 *     if (step.admit(seq, Math.min(step.waitingTokens(seq), step.tokensLeft())) != StepLedger.Fit.ADDED) break;
 * }
 * }
 *
 * <p>This package is not a bundle of its own: each batcher bundle copies it in at build time (bnd
 * {@code -conditionalpackage}), so every batcher jar stays self-contained and hot-swappable on its own.
 */
package servelab.plugins.batching.common;
