package servelab.runtime.engine;

import java.util.ArrayList;
import java.util.List;

import servelab.common.collect.LongObjectMap;

/**
 * The requests the gateway holds that have not ended: by id (no boxing), and in arrival order through
 * {@link GatewayRequest#prev} and {@code next} for the run's end and abort. Memory follows the requests in the
 * system, not the length of the trace; adding, finding and removing are O(1).
 */
final class LiveRequests {
    private final LongObjectMap<GatewayRequest> byId = new LongObjectMap<>(1024);
    private GatewayRequest oldest, newest;

    void add(GatewayRequest req) {
        if (byId.get(req.id()) != null) throw new EngineException("request id " + req.id() + " arrived twice");
        byId.put(req.id(), req);
        req.prev = newest;
        if (newest != null) newest.next = req;
        else oldest = req;
        newest = req;
    }

    void remove(GatewayRequest req) {
        byId.remove(req.id());
        if (req.prev != null) req.prev.next = req.next;
        else if (oldest == req) oldest = req.next;
        if (req.next != null) req.next.prev = req.prev;
        else if (newest == req) newest = req.prev;
        req.prev = req.next = null;
    }

    /** The live request with this id, or null. */
    GatewayRequest find(long id) {
        return byId.get(id);
    }

    /** A copy of the live requests, oldest arrival first (ending one while going through them is safe). */
    List<GatewayRequest> inArrivalOrder() {
        var all = new ArrayList<GatewayRequest>();
        for (var req = oldest; req != null; req = req.next) all.add(req);
        return all;
    }
}
