package servelab.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Creates one policy from validated parameters. A plugin bundle registers each factory as an OSGi service of this
 * type (Declarative Services: {@code @Component(service = PluginFactory.class)}); the host reads the descriptor,
 * validates a run's parameters against it, and calls {@link #create} once per replica slot.
 *
 * <p>A factory must be cheap to construct and must not start threads. {@code create} may throw; the host then
 * reports the plugin's bundle and the reason, and the slot keeps its current policy.
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
