package servelab.runtime.experiment;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The {@code executor} key: which world an experiment's replicas run in. Each kind opens one of the sealed {@link
 * servelab.runtime.exec.ExecutorSetup}s (the runner switches over the kinds without a default, so a new kind, does not
 * build until it is handled).
 */
public enum ExecutorKind {
    /** Cost model on a virtual clock ({@code profile}). */
    SIMULATED("simulated"),
    /** A GGUF Llama model run by the Java kernels, each step timed on the wall clock ({@code model.*}). */
    MODEL("model"),
    /**
     * The cost model ({@code profile}) paced on the wall clock: each step lasts at least its modelled duration and
     * produces placeholder tokens, so a server, gateway or router can be load-tested without a GPU.
     */
    EMULATED("emulated");

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
