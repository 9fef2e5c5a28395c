package servelab.runtime.experiment;

import java.util.SplittableRandom;

import servelab.runtime.engine.PromptSource;
import servelab.runtime.engine.TokenSpace;
import servelab.common.seed.Seeds;

/** The prompt sources an experiment's {@code prompts} section names. */
final class Prompts {
    private Prompts() {}

    /**
     * @param space the executor's ordinary token ids, or null (simulation: ids are identities only)
     */
    static PromptSource of(PromptsSpec spec, long seed, TokenSpace space) {
        int first = space == null ? 0 : space.first();
        int count = space == null ? 1 << 30 : space.count();
        return switch (spec.kind()) {
            case "synthetic" -> PromptSource.SYNTHETIC;
            case "random" -> request -> {
                var random = new SplittableRandom(Seeds.ofRequest(seed, request.id()));
                var ids = new int[request.inputTokens()];
                for (int i = 0; i < ids.length; i++) ids[i] = first + random.nextInt(count);
                return ids;
            };
            case "repeated" -> request -> {
                var random = new SplittableRandom(Seeds.ofRequest(seed, request.id()));
                var block = new int[Math.min(spec.period(), request.inputTokens())];
                for (int i = 0; i < block.length; i++) block[i] = first + random.nextInt(count);
                var ids = new int[request.inputTokens()];
                for (int i = 0; i < ids.length; i++) ids[i] = block[i % block.length];
                return ids;
            };
            default -> throw new IllegalArgumentException("prompts.kind " + spec.kind());
        };
    }
}
