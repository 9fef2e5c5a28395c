package servelab.api.route;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/** Decides whether a new request is served; a rejected request is recorded with the reason as its error. */
@ConsumerType
@FunctionalInterface
public interface Admission {
    Decision admit(RequestView request, List<ReplicaView> replicas);

    /** The closed set of answers. */
    sealed interface Decision permits Admit, Reject {}

    /** Serve the request. */
    record Admit() implements Decision {}

    /** Do not serve it; {@code reason} is recorded. */
    record Reject(String reason) implements Decision {
        public Reject {
            if (reason == null || reason.isBlank()) throw new IllegalArgumentException("Reject.reason must be given");
        }
    }
}
