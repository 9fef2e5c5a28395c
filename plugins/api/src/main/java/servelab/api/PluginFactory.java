package servelab.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Creates one policy from validated parameters. A plugin bundle registers each factory as an OSGi service of this
 * type (Declarative Services: {@code @Component(service = PluginFactory.class)}); the host reads the descriptor,
 * validates a run's parameters against it, and calls {@link #create} once per replica slot.
 *
 * <p>A factory must be cheap to construct and must not start threads. {@code create} may throw; the host then
 * reports the plugin's bundle and the reason, and the slot keeps its current policy. {@code create} runs on whichever
 * thread asked for the plugin (a run's setup, the control port's client, the plugin folder's watcher).
 *
 * <p>Threads: a policy of any kind is called on one thread at a time, the engine's (in {@code servelab run}, one
 * thread for the whole cluster; in {@code servelab serve}, each replica's own thread for the replica-scope kinds and
 * the request's intake, serialized, for admission and routing), never from two at once; it need not be thread-safe
 * but must not keep what it is handed beyond the call.
 *
 * @param <T> the policy interface, {@code descriptor().kind().policyType()}
 */
@ConsumerType
public interface PluginFactory<T> {

    /** Kind, name, version and parameters; must return equal values on every call. */
    PluginDescriptor descriptor();

    /**
     * A new policy instance.
     *
     * @param params values already validated against {@code descriptor().params()}
     */
    T create(Params params);
}
