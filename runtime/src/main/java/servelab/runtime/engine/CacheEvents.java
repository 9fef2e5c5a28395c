package servelab.runtime.engine;

/**
 * A replica's prefix-cache contents as they change, the way vLLM publishes KV events (BlockStored, BlockRemoved,
 * AllBlocksCleared) for llm-d's precise prefix-cache scorer. Called on the engine's thread, inside a step.
 */
public interface CacheEvents {
    /** Device block {@code block} now holds indexed content with chained key {@code key}. */
    void stored(int block, long key);

    /** The indexed content of {@code block} was evicted. */
    void evicted(int block);

    /** The prefix cache was replaced: nothing is indexed any more. */
    void cleared();

    CacheEvents NONE = new CacheEvents() {
        @Override public void stored(int block, long key) {}
        @Override public void evicted(int block) {}
        @Override public void cleared() {}
    };
}
