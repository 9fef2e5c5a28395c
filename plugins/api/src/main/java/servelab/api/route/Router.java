package servelab.api.route;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Picks the replica for a new request. A router may keep private state (counters, an estimated prefix index) and
 * reads the views lazily: what it does not call costs nothing. Returning an index outside the list, or throwing, is
 * a fault: the cluster records it and restores the previous router.
 */
@ConsumerType
@FunctionalInterface
public interface Router {
    /**
     * @param replicas the candidates in index order, never empty. Usually every replica, so position i holds index
     *                 i; a request degraded to a replica group sees that group's replicas only, still with their
     *                 cluster indices, so a router returns {@code replicas.get(k).index()}, not k
     * @return the {@link ReplicaView#index()} of the chosen replica, one of {@code replicas}
     */
    int route(RequestView request, List<ReplicaView> replicas);
}
