package servelab.common.seed;

/**
 * Every derivation of a random stream's seed from a run's seed, in one place. A stream is keyed by what it is
 * for (a request, a token position, a synthetic-trace concern), never by how many draws came before, so a run's
 * randomness does not depend on call order, batching or the number of replicas.
 *
 * <p>The derivations differ (sum, XOR, SplitMix64 finalizer) because each was fixed when its stream was first
 * recorded, and recorded results must stay byte-identical for the same experiment and seed: changing one would
 * change every run that uses it. So they are kept, named for their use, and new code picks one of these (or adds a
 * named one here) instead of writing a formula in place. The constants: {@link #GOLDEN} is 2<sup>64</sup>/φ
 * (Fibonacci hashing), {@link #MIX} xxHash64's PRIME64_2, so the seed and request terms do not cancel. {@code runtime/RESULTS-SCHEMA.md} (determinism)
 * lists the same table.
 */
public final class Seeds {
    /** 2^64 divided by the golden ratio, odd: multiplying by it spreads consecutive ids over all 64 bits. */
    public static final long GOLDEN = 0x9E3779B97F4A7C15L;
    /** A second odd multiplier (xxHash64's PRIME64_2), for a second key. */
    public static final long MIX = 0xC2B2AE3D27D4EB4FL;

    private Seeds() {
    }

    /**
     * {@code seed·GOLDEN + request}: one stream per request, for draws about the request as a whole (its prompt
     * tokens, which requests a trace transform picks or changes).
     */
    public static long ofRequest(long seed, long request) {
        return seed * GOLDEN + request;
    }

    /**
     * {@code seed·GOLDEN + request·MIX + position}: one stream per generated token, for the model executor's
     * sampling, so a request's output does not depend on what it was batched with.
     */
    public static long ofToken(long seed, long request, long position) {
        return seed * GOLDEN + request * MIX + position;
    }

    /**
     * {@code seed·GOLDEN ^ request·MIX ^ position<<20}: one stream per verification, for the simulated acceptance
     * of a draft at context position {@code position}. (XOR, where {@link #ofToken} adds: the two streams differ.)
     */
    public static long ofVerification(long seed, long request, int position) {
        return seed * GOLDEN ^ request * MIX ^ (long) position << 20;
    }

    /**
     * {@code seed ^ request·GOLDEN}: one stream per request for a plugin seeded by its own parameter (the length
     * predictor's per-request error), where the seed is not multiplied.
     */
    public static long ofPluginRequest(long seed, long request) {
        return seed ^ request * GOLDEN;
    }

    /**
     * SplitMix64's finalizer of {@code seed + stream·GOLDEN}: one independent generator per concern of a synthetic
     * trace (arrivals, input lengths, output lengths, tenants), so changing one model leaves the others' draws.
     */
    public static long ofStream(long seed, long stream) {
        long z = seed + stream * GOLDEN;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * {@link #ofStream} of {@code seed ^ request·MIX} and stream {@code attempt + 1}: one value per attempt of a
     * request, the gateway's {@code AttemptEnd.seed} (a retry policy's jitter); a hedged copy shares its primary's
     * attempt number and value. The gateway's lost-response draw for an answer is a further {@link #ofStream} of it.
     */
    public static long ofAttempt(long seed, long request, int attempt) {
        return ofStream(seed ^ request * MIX, attempt + 1L);
    }
}
