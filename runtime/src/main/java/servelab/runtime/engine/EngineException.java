package servelab.runtime.engine;

/** A run cannot continue: a policy failed with no fallback, or the engine's own invariants broke. */
public final class EngineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }

    public EngineException(String message) {
        super(message);
    }
}
