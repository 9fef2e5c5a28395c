package servelab.api.scale;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import servelab.api.route.ReplicaView;

/** The cluster as an autoscaler sees it at the end of an interval. Valid for the call it is passed to. */
@ProviderType
public interface FleetView {
    long nowNanos();

    /** The autoscaling interval, nanoseconds. */
    long intervalNanos();

    /** Replicas taking requests. */
    int servingReplicas();

    /** Replicas in their cold start (loading weights, warming up). */
    int startingReplicas();

    /** Replicas finishing their running requests before they stop. */
    int drainingReplicas();

    int minReplicas();

    int maxReplicas();

    /** Every replica of the cluster, serving or not ({@link ReplicaView#isAvailable()} says which take requests). */
    List<ReplicaView> replicas();

    /** Requests that arrived in the last interval, per second. */
    double arrivalsPerSecond();

    /** Mean fraction of the interval the serving replicas spent computing steps, 0 to 1. */
    double utilisation();

    /** Requests waiting on serving replicas, summed. */
    int waitingRequests();

    /** The {@code quantile} of time to first token of the requests that got their first token in the last interval; 0 if none did. */
    long recentTtftNanos(double quantile);
}
