/**
 * What every speculator shares: the draft length parameters under vLLM's names and the per-sequence adaptive draft
 * length ({@link servelab.plugins.speculative.common.DraftLengths},
 * {@link servelab.plugins.speculative.common.AdaptiveDraftLength}), and per-sequence state kept across calls and
 * forgotten when a sequence stops coming ({@link servelab.plugins.speculative.common.SequenceStates}).
 *
 * {@snippet :
 * public List<Draft> propose(List<SeqView> decoding, SpecContext ctx) {
 *     lengths.beginCall();
 *     var drafts = new ArrayList<Draft>();
 *     for (var seq : decoding) {
 *         int k = lengths.next(seq, ctx);                 // 0: the engine would verify no draft now
 *         if (k > 0) drafts.add(new Draft(seq.id(), draftModel.generate(seq, ctx, k)));
 *     }
 *     return drafts;
 * }
 * }
 *
 * <p>This package is not a bundle of its own: each speculator bundle copies it in at build time (bnd
 * {@code -conditionalpackage}), so every speculator jar stays self-contained and hot-swappable on its own.
 */
package servelab.plugins.speculative.common;
