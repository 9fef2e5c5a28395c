package servelab.runtime.experiment;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The {@code executor} key: which world an experiment's replicas run in. Each kind opens one of the sealed {@link
 * servelab.runtime.exec.ExecutorSetup}s (the runner switches over the kinds without a default, so a new kind, such as
 * issue 19's {@code emulated}, does not build until it is handled).
 */
public enum ExecutorKind {
    /** Cost model on a virtual clock ({@code profile}). */
    SIMULATED("simulated"),
    /** A GGUF Llama model run by the Java kernels, each step timed on the wall clock ({@code model.*}). */
    MODEL("model");

    private final String id;

    ExecutorKind(String id) {
        this.id = id;
    }

    /** The name as the experiment file writes it. */
    @JsonValue
    public String id() {
        return id;
    }

    /** The kind named {@code id}; an unknown name is an error naming the key and listing the accepted values. */
    @JsonCreator
    public static ExecutorKind fromId(String id) {
        for (var kind : values()) if (kind.id.equals(id)) return kind;
        var accepted = new StringBuilder();
        for (var kind : values()) accepted.append(accepted.isEmpty() ? "" : ", ").append(kind.id);
        throw new IllegalArgumentException("executor '" + id + "' is not available; accepted: " + accepted);
    }
}
