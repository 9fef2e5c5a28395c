package servelab.plugins.caching.prefix;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.kv.PrefixCache;
import servelab.api.kv.TokenBlocks;

/** No prefix caching: every request computes its whole prompt, and finished blocks are freed at once. */
@Component(service = PluginFactory.class)
public final class NoPrefixCache implements PluginFactory<PrefixCache> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.PREFIX_CACHE, "none", "1.0.0",
            "No prefix caching (the default): every prompt is computed in full.", List.of());

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public PrefixCache create(Params params) {
        return new PrefixCache() {
            @Override
            public int match(TokenBlocks blocks, int from, int maxBlocks, int[] blockIds) {
                return from;
            }

            @Override
            public boolean insert(TokenBlocks blocks, int index, int blockId) {
                return false;
            }

            @Override
            public void evicted(int blockId) {
                throw new IllegalStateException("block " + blockId + " evicted, but this cache indexes nothing");
            }
        };
    }
}
