package servelab.runtime.experiment;

import java.util.List;

/**
 * vLLM's {@code --max-model-len} and what it does with a longer request. vLLM's OpenAI server refuses a request
 * whose prompt plus {@code max_tokens} exceed it (an error, recorded in the request's row here); with
 * {@code truncate_prompt_tokens} it keeps the prompt's last tokens instead, which {@code overflow: truncate} does
 * (a request whose output alone does not fit is refused all the same).
 *
 * @param maxModelLen the longest request, prompt plus output tokens (default 0: the profile's
 *                    {@code serving.max_model_len}, or the model's context with {@code executor: model})
 * @param overflow    {@code refuse} (default) or {@code truncate}
 */
public record ContextSpec(int maxModelLen, String overflow) {
    public static final ContextSpec DEFAULT = new ContextSpec(0, null);

    public ContextSpec {
        if (maxModelLen < 0) throw new IllegalArgumentException("context.max_model_len must be >= 0, was " + maxModelLen);
        overflow = overflow == null ? "refuse" : overflow;
        if (!List.of("refuse", "truncate").contains(overflow)) {
            throw new IllegalArgumentException("context.overflow '" + overflow + "' is unknown; accepted: refuse, truncate");
        }
    }

    public boolean truncate() {
        return overflow.equals("truncate");
    }
}
