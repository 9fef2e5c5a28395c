package servelab.runtime.builtin;

import java.util.List;
import java.util.Map;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.spec.Draft;
import servelab.api.spec.Speculator;
import servelab.runtime.engine.ModelDrafting;
import servelab.runtime.engine.PolicySlot;

/**
 * The speculators built into the runtime: {@code none} (the default); {@code modeled}, the simulated world's
 * stand-in for a proposer whose drafts only matter through their acceptance (a draft model, or an n-gram proposer
 * at a measured acceptance rate); and {@code layer-skip} and {@code draft-model}, which draft with a model the
 * executor holds. Proposers that read tokens ({@code ngram}) are plugin bundles.
 */
public final class Speculators {
    private Speculators() {}

    /** No drafts: every decode is a plain decode. */
    public static final class None implements PluginFactory<Speculator> {
        private static final Speculator NONE = (decoding, ctx) -> List.of();

        @Override
        public PluginDescriptor descriptor() {
            return new PluginDescriptor(PluginKind.SPECULATOR, "none", "1.0.0", "No speculative decoding.", List.of());
        }

        @Override
        public Speculator create(Params params) {
            return NONE;
        }
    }

    /**
     * Proposes {@code num_speculative_tokens} placeholder tokens (the last token repeated) for every decoding
     * sequence. In simulation the executor's acceptance model decides how many are accepted and its draft cost
     * prices proposing them, so this is how a draft-model or an n-gram proposer is swept on a full trace. On a real
     * model the placeholders are verified like any draft (outputs stay exact) but are mostly rejected: it is refused
     * there.
     */
    public static final class Modeled implements PluginFactory<Speculator> {
        @Override
        public PluginDescriptor descriptor() {
            return new PluginDescriptor(PluginKind.SPECULATOR, "modeled", "1.0.0",
                    "Simulation only: k placeholder drafts per decoding sequence; the simulated executor's acceptance "
                            + "model (speculation.acceptance) decides what is accepted and speculation.draft_cost "
                            + "prices proposing them.",
                    List.of(ParamSpec.ofInt("num_speculative_tokens", 4, 1, 64, "draft tokens per decoding sequence")));
        }

        @Override
        public Speculator create(Params params) {
            int k = params.getInt("num_speculative_tokens");
            return (decoding, ctx) -> {
                var drafts = new java.util.ArrayList<Draft>(decoding.size());
                for (var seq : decoding) {
                    int n = Math.min(k, ctx.maxDraftTokens(seq));
                    if (n <= 0) continue;
                    var tokens = new int[n];
                    java.util.Arrays.fill(tokens, ctx.token(seq, seq.promptTokens() + seq.outputTokens() - 1));
                    drafts.add(new Draft(seq.id(), tokens));
                }
                return drafts;
            };
        }
    }

    /**
     * Layer-skip self-speculation (as in LayerSkip and Draft &amp; Verify): the target's first {@code layers} layers,
     * its final norm and its classifier draft {@code num_speculative_tokens} tokens greedily; the full model verifies
     * them. The draft needs no model, no weights and no KV of its own: its layers are the target's, and the KV of
     * those layers for accepted tokens is the target's. On the model executor it runs for real; in simulation it
     * drafts placeholders for the acceptance model, like {@code modeled}.
     */
    public static final class LayerSkip implements PluginFactory<Speculator> {
        @Override
        public PluginDescriptor descriptor() {
            return new PluginDescriptor(PluginKind.SPECULATOR, "layer-skip", "1.0.0",
                    "Self-speculation: the target's first layers draft, the whole model verifies (LayerSkip).",
                    List.of(ParamSpec.ofInt("layers", 0, 0, 1024,
                                    "leading layers of the target used as the draft model (0: half of them)"),
                            ParamSpec.ofInt("num_speculative_tokens", 3, 1, 64, "draft tokens per decoding sequence")));
        }

        @Override
        public Speculator create(Params params) {
            return new Drafting(params.getInt("layers"), params.getInt("num_speculative_tokens"));
        }

        /** Asks the engine's executor to draft with its model; the drafts land on the sequences, none are returned. */
        record Drafting(int layers, int draftTokens) implements Speculator {
            @Override
            public List<Draft> propose(List<servelab.api.sched.SeqView> decoding, servelab.api.spec.SpecContext ctx) {
                if (!(ctx instanceof ModelDrafting executor)) {
                    throw new IllegalStateException("drafting with a model needs an engine whose executor holds one");
                }
                executor.draftWithModel(layers, draftTokens);
                return List.of();
            }
        }
    }

    /**
     * A draft model: a second, smaller GGUF with the target's vocabulary ({@code model.draft_path}) drafts {@code
     * num_speculative_tokens} tokens greedily, batched over the decoding sequences, in the model executor. Its keys and
     * values live in its own pool addressed by the engine's block ids, computed alongside the target's, so every
     * engine block holds both models' KV (as vLLM's draft workers share the target's block tables). In simulation it
     * drafts placeholders for the acceptance model; {@code speculation.draft_cost} prices them.
     */
    public static final class DraftModel implements PluginFactory<Speculator> {
        @Override
        public PluginDescriptor descriptor() {
            return new PluginDescriptor(PluginKind.SPECULATOR, "draft-model", "1.0.0",
                    "A smaller model drafts, the target verifies (model.draft_path; Leviathan et al. 2023).",
                    List.of(ParamSpec.ofInt("num_speculative_tokens", 4, 1, 64, "draft tokens per decoding sequence")));
        }

        @Override
        public Speculator create(Params params) {
            return new LayerSkip.Drafting(-1, params.getInt("num_speculative_tokens"));
        }
    }

    /** The {@code none} speculator, installed: what a replica uses when no speculator slot is given. */
    public static PolicySlot.Installed<Speculator> noneInstalled() {
        var factory = new None();
        return new PolicySlot.Installed<>(factory.create(null), factory.descriptor(), Map.of(), "built-in");
    }
}
