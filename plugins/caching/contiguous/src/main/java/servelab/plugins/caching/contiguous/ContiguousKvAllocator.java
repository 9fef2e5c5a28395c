package servelab.plugins.caching.contiguous;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.kv.KvAllocator;

/**
 * Contiguous KV allocation, the baseline PagedAttention was measured against (Kwon et al., SOSP'23, §2.3 and
 * Fig. 2, "Orca (Max)" and "Orca (Oracle)"): at admission a sequence reserves the KV memory of the longest
 * context it may reach, and holds it until it finishes. {@code reserve=max-context} reserves
 * {@code max_context_tokens} (or the request's own prompt plus output limit if that is longer), as a server
 * must when it cannot know output lengths; {@code reserve=request} reserves the request's prompt plus its
 * output limit, which in trace replay is the true output length (the paper's oracle). The engine still counts
 * memory in blocks, so reservations round up to whole blocks.
 *
 * <p>Cost: O(1) per call.
 */
@Component(service = PluginFactory.class)
public final class ContiguousKvAllocator implements PluginFactory<KvAllocator> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.KV_ALLOCATOR, "contiguous",
            "1.0.0", "Reserves a sequence's maximum context at admission (pre-vLLM baseline; vLLM paper's Orca Max/Oracle).",
            List.of(ParamSpec.ofChoice("reserve", "max-context", List.of("max-context", "request"),
                            "what to reserve: max_context_tokens, or prompt + output limit (an oracle in replay)"),
                    ParamSpec.ofInt("max_context_tokens", 8192, 1, 1 << 24,
                            "context reserved per sequence with reserve=max-context (Llama 3: 8192)")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public KvAllocator create(Params params) {
        boolean maxContext = params.getString("reserve").equals("max-context");
        int maxContextTokens = params.getInt("max_context_tokens");
        return (seq, tokens, blockSizeTokens) -> {
            int own = seq.promptTokens() + seq.maxOutputTokens();
            int reserved = maxContext ? Math.max(maxContextTokens, own) : own;
            return Math.ceilDiv(Math.max(tokens, reserved), blockSizeTokens);
        };
    }
}
