package servelab.runtime.cluster;

/** What a replica reports about itself right now (as of its last step). */
public interface LiveReplica {
    int waitingRequests();

    int runningRequests();

    /** Prompt tokens of the waiting requests still to compute. */
    long waitingTokens();

    /** Context tokens (prompt and output so far) of the running requests. */
    long runningTokens();

    int freeBlocks();

    int totalBlocks();

    /**
     * Whether a prefix cache serves the replica (anything but the built-in {@code none}): without one, nothing a
     * router could know about cached prefixes is true. Default true.
     */
    default boolean hasPrefixCache() {
        return true;
    }
}
