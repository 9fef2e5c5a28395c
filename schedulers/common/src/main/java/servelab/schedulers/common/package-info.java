/**
 * What several schedulers share: {@link servelab.schedulers.common.Rank}, a stable sort by one key computed once
 * per sequence, and {@link servelab.schedulers.common.LengthPredictor}, the pluggable output-length estimate of the
 * length-based schedulers.
 *
 * {@snippet :
 * LengthPredictor predictor = LengthPredictor.from(params);          // key=oracle|prompt|noisy-oracle|predicted
 * Scheduler sjf = ctx -> new Ordering(ctx.running(), Rank.byKey(ctx.waiting(), predictor::remainingTokens));
 * }
 *
 * <p>Not a bundle: each scheduler bundle that uses this package copies it in at build time (bnd
 * {@code -conditionalpackage}), so each scheduler jar deploys and swaps on its own.
 */
package servelab.schedulers.common;
