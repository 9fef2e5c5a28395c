package servelab.api;

/** A plugin was asked for with an unknown, missing or ill-typed parameter; the message names it. */
public final class PluginParameterException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public PluginParameterException(String message) {
        super(message);
    }
}
