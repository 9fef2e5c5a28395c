package servelab.api.route;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides whether a new request is served, and how: a rejected request is recorded with the reason as its error; a
 * degraded one is served with a smaller output limit or on another replica group, and its row says so.
 */
@ConsumerType
@FunctionalInterface
public interface Admission {
    /** The one {@link Admit} value, so accepting allocates nothing. */
    Admit ADMIT = new Admit();

    Decision admit(RequestView request, List<ReplicaView> replicas);

    /** The closed set of answers; consumers switch over it without a default. */
    sealed interface Decision permits Admit, Reject, Degrade {}

    /** Serve the request. */
    record Admit() implements Decision {}

    /** Do not serve it; {@code reason} is recorded. */
    record Reject(String reason) implements Decision {
        public Reject {
            if (reason == null || reason.isBlank()) throw new IllegalArgumentException("Reject.reason must be given");
        }
    }

    /**
     * Serve it, degraded: with its output capped at {@code maxOutputTokens} (a request already within the cap is
     * unchanged), on a replica of {@code group} (the router then chooses among that group's replicas only), or both.
     * {@code reason} is recorded with the request.
     */
    record Degrade(OptionalInt maxOutputTokens, Optional<String> group, String reason) implements Decision {
        public Degrade {
            Objects.requireNonNull(maxOutputTokens, "Degrade.maxOutputTokens");
            Objects.requireNonNull(group, "Degrade.group");
            if (reason == null || reason.isBlank()) throw new IllegalArgumentException("Degrade.reason must be given");
            if (maxOutputTokens.isEmpty() && group.isEmpty()) {
                throw new IllegalArgumentException("Degrade needs maxOutputTokens, group or both");
            }
            if (maxOutputTokens.isPresent() && maxOutputTokens.getAsInt() < 1) {
                throw new IllegalArgumentException("Degrade.maxOutputTokens must be >= 1, was "
                        + maxOutputTokens.getAsInt());
            }
            if (group.isPresent() && group.get().isBlank()) throw new IllegalArgumentException("Degrade.group is blank");
        }

        /** Output capped at {@code maxOutputTokens}. */
        public static Degrade capTokens(int maxOutputTokens, String reason) {
            return new Degrade(OptionalInt.of(maxOutputTokens), Optional.empty(), reason);
        }

        /** Served by a replica of {@code group}. */
        public static Degrade toGroup(String group, String reason) {
            return new Degrade(OptionalInt.empty(), Optional.of(group), reason);
        }
    }
}
