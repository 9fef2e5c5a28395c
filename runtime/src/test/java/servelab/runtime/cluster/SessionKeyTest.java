package servelab.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import servelab.datasets.TraceRequest;

/** A request's session key: the trace's column where it has one, else the request is its own session. */
class SessionKeyTest {
    private static final TraceRequest PLAIN = TraceRequest.of(7, 0, 100, 10);
    private static final TraceRequest TENANT = new TraceRequest(8, 0, 100, 10, "alice", 0, new long[0], 0);
    private static final TraceRequest BLOCKS = new TraceRequest(9, 0, 100, 10, "default", 0, new long[] {42, 43}, 512);

    @Test
    void aRequestWithoutAKeyIsItsOwnSession() {
        // every request of a trace without tenants or prefixes had the key "", one point of the hash ring
        for (var k : SessionKey.values()) assertEquals("request:7", k.of(PLAIN), k.toString());
        assertEquals("request:8", SessionKey.NONE.of(TENANT));
        assertEquals("request:8", SessionKey.FIRST_BLOCK.of(TENANT));
        assertEquals("request:9", SessionKey.TENANT.of(BLOCKS)); // "default" is no tenant
    }

    @Test
    void aTraceColumnIsTheKeyWhereItExists() {
        assertEquals("alice", SessionKey.AUTO.of(TENANT));
        assertEquals("alice", SessionKey.TENANT.of(TENANT));
        assertEquals("block:42", SessionKey.AUTO.of(BLOCKS));
        assertEquals("block:42", SessionKey.FIRST_BLOCK.of(BLOCKS));
    }
}
