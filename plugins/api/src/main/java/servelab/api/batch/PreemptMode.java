package servelab.api.batch;

/** How a preempted sequence gives back its KV memory. */
public enum PreemptMode {
    /** Drop the KV; the sequence re-enters the waiting queue and recomputes prompt and output so far (vLLM default). */
    RECOMPUTE,
    /** Move the KV to the host tier (a transfer the cost model charges) and bring it back when rescheduled. */
    SWAP
}
