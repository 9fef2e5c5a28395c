package servelab.api.scale;

import org.osgi.annotation.versioning.ConsumerType;

/** Names how many replicas should be serving, once per autoscaling interval. */
@ConsumerType
@FunctionalInterface
public interface Autoscaler {
    /**
     * @return the replicas wanted (serving plus starting); the cluster clamps it to
     *         [{@link FleetView#minReplicas()}, {@link FleetView#maxReplicas()}]
     */
    int desiredReplicas(FleetView fleet);
}
