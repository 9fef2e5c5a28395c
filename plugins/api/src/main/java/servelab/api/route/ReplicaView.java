package servelab.api.route;

import org.osgi.annotation.versioning.ProviderType;

/** One replica's load, as a router sees it. */
@ProviderType
public interface ReplicaView {
    /** Position in the replica list, the value a router returns. */
    int index();

    /** Requests waiting or running on this replica. */
    int queuedRequests();

    /** Free KV blocks. */
    int freeBlocks();

    /** Total KV blocks. */
    int totalBlocks();
}
