package servelab.plugins.caching.paged;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.kv.KvAllocator;
import servelab.api.sched.SeqView;

/**
 * Paged KV allocation (Kwon et al., "Efficient Memory Management for Large Language Model Serving with
 * PagedAttention", SOSP'23): a sequence holds just enough fixed-size blocks for the tokens it has computed, so at
 * most one partly filled block per sequence is wasted. New sequences are admitted only while a watermark of free
 * blocks remains, so running ones can keep growing without immediate preemption (vLLM's {@code watermark}, 0.01).
 */
@Component(service = PluginFactory.class)
public final class PagedKvAllocator implements PluginFactory<KvAllocator> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.KV_ALLOCATOR, "paged", "1.0.0",
            "Paged KV blocks, allocated as tokens are computed (vLLM PagedAttention), with an admission watermark.",
            List.of(ParamSpec.ofDouble("watermark", 0.01, 0.0, 0.5,
                    "fraction of all KV blocks kept free when admitting a new request")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public KvAllocator create(Params params) {
        double watermark = params.getDouble("watermark");
        return new KvAllocator() {
            @Override
            public int blocksToHold(SeqView seq, int tokens, int blockSizeTokens) {
                return Math.ceilDiv(tokens, blockSizeTokens);
            }

            @Override
            public int admissionHeadroomBlocks(int totalBlocks) {
                return (int) (watermark * totalBlocks);
            }
        };
    }
}
