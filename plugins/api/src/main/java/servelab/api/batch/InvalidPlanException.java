package servelab.api.batch;

/** A batch plan broke a rule (unknown or duplicate sequence, token count out of range, not enough memory). */
public final class InvalidPlanException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidPlanException(String message) {
        super(message);
    }
}
