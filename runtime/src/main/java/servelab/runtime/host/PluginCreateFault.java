package servelab.runtime.host;

import servelab.api.PluginKind;

/**
 * A hot-deployed plugin that could not be made for the slots naming it (its factory threw, or refused their
 * parameters): the slots keep {@code kept}. Said as that plugin's fault, so run.json's {@code plugin_history} and
 * {@code faulted_plugins} hold it as they hold a fault at run time (it was only the host's news about a jar).
 */
public final class PluginCreateFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final PluginKind kind;
    private final String plugin;
    private final String kept;

    PluginCreateFault(PluginKind kind, String plugin, String kept, RuntimeException cause) {
        super(cause.getMessage(), cause);
        this.kind = kind;
        this.plugin = plugin;
        this.kept = kept;
    }

    public PluginKind kind() { return kind; }

    /** The plugin that faulted, {@code name@version}. */
    public String plugin() { return plugin; }

    /** The plugin its slots keep, {@code name@version}. */
    public String kept() { return kept; }
}
