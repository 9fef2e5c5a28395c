package servelab.plugins.caching.prefix;

import org.junit.jupiter.api.Nested;

import servelab.api.PluginFactory;
import servelab.api.kv.PrefixCache;
import servelab.testkit.PrefixCacheContractTest;

/** The prefix-cache contract on each cache of this bundle. */
class PrefixCachesContractTest {
    @Nested
    class None extends PrefixCacheContractTest {
        @Override protected PluginFactory<PrefixCache> factory() { return new NoPrefixCache(); }
    }

    @Nested
    class HashBlock extends PrefixCacheContractTest {
        @Override protected PluginFactory<PrefixCache> factory() { return new HashBlockPrefixCache(); }
    }

    @Nested
    class Radix extends PrefixCacheContractTest {
        @Override protected PluginFactory<PrefixCache> factory() { return new RadixTreePrefixCache(); }
    }
}
