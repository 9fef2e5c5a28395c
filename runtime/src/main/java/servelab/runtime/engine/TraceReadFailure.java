package servelab.runtime.engine;

/**
 * The trace could not be read on during a run (a malformed row past the ones already replayed, a file cut short): the
 * run stops as on an {@link EngineException}, every request that arrived ends failed, and the reader's own exception,
 * which names the file, line and column, is what the caller rethrows ({@link #readerException()}).
 */
public final class TraceReadFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TraceReadFailure(RuntimeException readerException) {
        super(readerException.getMessage(), readerException);
    }

    /** The trace reader's exception. */
    public RuntimeException readerException() {
        return (RuntimeException) getCause();
    }
}
