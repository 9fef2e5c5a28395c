package servelab.api.route;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/** Picks the replica for a new request. */
@ConsumerType
@FunctionalInterface
public interface Router {
    /** @return the {@link ReplicaView#index()} of the chosen replica */
    int route(RequestView request, List<ReplicaView> replicas);
}
