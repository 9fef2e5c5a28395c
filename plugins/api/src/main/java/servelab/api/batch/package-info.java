/**
 * Batching: which sequences run in this step and with how many tokens each.
 *
 * <p>A batcher walks the scheduler's {@link servelab.api.sched.Ordering} with a budget and appends work to the
 * engine's {@link servelab.api.batch.BatchPlan}: a prefill chunk of n tokens, a decode of one token, a
 * verification of k drafted tokens, or a preemption. The engine checks the whole plan (known sequences, token
 * counts, KV memory) before it changes any state. Iteration-level continuous batching in a few lines:
 *
 * {@snippet :
 * Batcher continuous = (order, ctx, plan) -> {
 *     int blocks = ctx.freeBlocks();
 *     for (var seq : order.running()) {               // decodes first, in scheduler order
 *         int need = ctx.blocksNeeded(seq, 1);
 *         if (need > blocks) break;                   // a real batcher preempts from the tail here
 *         blocks -= need;
 *         plan.decode(seq);
 *     }
 *     for (var seq : order.waiting()) {               // then whole prompts while memory lasts
 *         int tokens = seq.uncomputedTokens() - ctx.cachedPrefixTokens(seq);
 *         int need = ctx.blocksNeeded(seq, tokens);
 *         if (need > blocks - ctx.admissionHeadroomBlocks()) break;
 *         blocks -= need;
 *         plan.prefill(seq, tokens);
 *     }
 * };
 * }
 */
@Version("1.1.0")
package servelab.api.batch;

import org.osgi.annotation.versioning.Version;
