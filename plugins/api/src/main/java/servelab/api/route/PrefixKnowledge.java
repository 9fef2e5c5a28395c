package servelab.api.route;

/** How a {@link ReplicaView} knows the replica's prefix-cache contents (llm-d's "precise" and "estimated" modes). */
public enum PrefixKnowledge {
    /** Not known: {@link ReplicaView#cachedPrefixBlocks} answers 0 (no prefix cache, or the cluster exposes none). */
    NONE,
    /** From the replica's own cache events, as of the view's snapshot. */
    EXACT,
    /** An estimate the cluster keeps from past routing decisions (what was sent there), not from the cache. */
    ESTIMATED
}
