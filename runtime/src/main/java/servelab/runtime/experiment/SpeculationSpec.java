package servelab.runtime.experiment;

import java.util.List;

/**
 * Speculative decoding in simulation, where drafts have no content: the target model's acceptance and the cost of
 * proposing. On the model executor drafts are really verified and these are ignored.
 *
 * @param acceptance per-position conditional acceptance rates (the last repeats); default {@code [0.7]}
 * @param draftCost  cost of proposing one draft token, as a fraction of a target decode step over the verifying
 *                   sequences (0: free, like n-gram lookup; about the draft/target size ratio for a draft model)
 */
public record SpeculationSpec(List<Double> acceptance, double draftCost) {
    public static final SpeculationSpec DEFAULT = new SpeculationSpec(null, 0);

    public SpeculationSpec {
        acceptance = acceptance == null ? List.of(0.7) : List.copyOf(acceptance);
        new servelab.runtime.exec.AcceptanceModel(acceptance, 0); // checks the rates
        // a draft token costing more than 1,000 target steps is no draft model; Infinity made steps free (overflow)
        if (!(draftCost >= 0 && draftCost <= 1000)) {
            throw new IllegalArgumentException("speculation.draft_cost must be in [0, 1000], was " + draftCost);
        }
    }
}
