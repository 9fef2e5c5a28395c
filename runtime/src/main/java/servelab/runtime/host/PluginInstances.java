package servelab.runtime.host;

import servelab.api.Params;
import servelab.api.PluginFactory;
import servelab.api.PluginParameterException;
import servelab.runtime.engine.PolicySlot;

/** A plugin's policy made for a slot: its parameters checked (named as written), its factory's faults reported. */
final class PluginInstances {
    private PluginInstances() {}

    @SuppressWarnings("unchecked")
    static PolicySlot.Installed<Object> create(Plugin plugin, PluginSelection selection) {
        var descriptor = plugin.descriptor();
        Params params;
        try {
            params = Params.validate(descriptor.label(), descriptor.params(), selection.params());
        } catch (PluginParameterException e) {
            if (selection.paramsKey() == null) throw e;
            throw new PluginParameterException(selection.keyed(e.getMessage()));
        }
        Object policy;
        try {
            policy = ((PluginFactory<Object>) plugin.factory()).create(params);
        } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
            if (e instanceof IllegalArgumentException && String.valueOf(e.getMessage()).contains("parameter '")) {
                // the plugin's own check of its parameters together: a bad value, named as the user wrote it
                throw new PluginParameterException(selection.keyed(e.getMessage()) + " (" + descriptor.label() + " "
                        + descriptor.id() + ")");
            }
            throw new PluginException(plugin.source() + ": " + descriptor.label() + " " + descriptor.id()
                    + " threw while being created: " + e, e);
        }
        if (!descriptor.kind().policyType().isInstance(policy)) {
            throw new PluginException(plugin.source() + ": " + descriptor.label() + " created "
                    + (policy == null ? "null" : policy.getClass().getName()) + ", not a "
                    + descriptor.kind().policyType().getSimpleName());
        }
        return new PolicySlot.Installed<>(policy, descriptor, params.asMap(), plugin.source(), plugin.bundleId());
    }

}
