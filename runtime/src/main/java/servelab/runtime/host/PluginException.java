package servelab.runtime.host;

/** A plugin could not be deployed, selected or created; the message names the plugin or its bundle file. */
public final class PluginException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PluginException(String message) {
        super(message);
    }

    public PluginException(String message, Throwable cause) {
        super(message, cause);
    }
}
