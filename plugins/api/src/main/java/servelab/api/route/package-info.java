/**
 * Routing and admission: which replica serves a request, and whether it is served at all.
 *
 * {@snippet :
 * Router leastLoaded = (request, replicas) -> replicas.stream()
 *         .min(Comparator.comparingInt(ReplicaView::queuedRequests)).orElseThrow().index();
 * Admission acceptAll = (request, replicas) -> new Admission.Admit();
 * }
 */
@Version("1.0.0")
package servelab.api.route;

import org.osgi.annotation.versioning.Version;
