package servelab.runtime.cluster;

import servelab.datasets.TraceRequest;

/** Where a request's session key comes from (the key consistent hashing and session affinity route on). */
public enum SessionKey {
    /** The tenant when the trace names one, else the first prefix block, else none. */
    AUTO,
    /** The trace's user, session or tenant column. */
    TENANT,
    /** The first prefix block's id (Mooncake {@code hash_ids[0]}, or the shared_prefix transform's prompt). */
    FIRST_BLOCK,
    /** No session key: every request is its own session. */
    NONE;

    /** {@code auto}, {@code tenant}, {@code first_block}, {@code none}. */
    public static SessionKey fromId(String id) {
        for (var k : values()) if (k.name().toLowerCase(java.util.Locale.ROOT).equals(id)) return k;
        throw new IllegalArgumentException("cluster.session_key '" + id + "' is unknown; accepted: auto, tenant, "
                + "first_block, none");
    }

    /**
     * The key of {@code request}; {@code request:ID} when it has none, so that every request is its own session (an
     * empty key put every request of a trace without tenants on one point of consistent hashing's ring).
     */
    public String of(TraceRequest request) {
        String key = switch (this) {
            case TENANT -> tenant(request);
            case FIRST_BLOCK -> firstBlock(request);
            case NONE -> "";
            case AUTO -> tenant(request).isEmpty() ? firstBlock(request) : tenant(request);
        };
        return key.isEmpty() ? ownSession(request.id()) : key;
    }

    /** The key of a request that belongs to no session: its own. */
    public static String ownSession(long requestId) {
        return "request:" + requestId;
    }

    /** The trace's tenant, or {@code ""} where the trace names none ({@code "default"}). */
    private static String tenant(TraceRequest request) {
        return request.tenant().equals("default") ? "" : request.tenant();
    }

    private static String firstBlock(TraceRequest request) {
        return request.prefixBlockIds().length == 0 ? "" : "block:" + request.prefixBlockIds()[0];
    }
}
