/**
 * Elasticity: how many replicas serve. An {@link servelab.api.scale.Autoscaler} (kind {@code autoscaler}) sees the
 * fleet every interval and names the number of replicas it wants serving; the cluster starts replicas (which serve
 * only after their cold start) or drains them (a draining replica takes no new requests and stops when its running
 * ones finish). Replica-seconds are recorded, so cost can be set against SLOs.
 */
@Version("1.0.0")
package servelab.api.scale;

import org.osgi.annotation.versioning.Version;
