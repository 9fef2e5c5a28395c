package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import servelab.datasets.TraceRequest;

/** What routers see of a served request. */
class ArrivalTest {
    private static final Arrival.PromptBlocks NO_BLOCKS = new Arrival.PromptBlocks(new long[0], 16);

    @Test
    void aClientWithoutUserOrSessionHeaderIsItsOwnSession() {
        // every anonymous request had the session key "default": consistent hashing sent them all to one replica
        assertEquals("request:5", new Arrival(TraceRequest.of(5, 0, 10, 4), NO_BLOCKS).sessionKey());
        assertEquals("request:6", new Arrival(TraceRequest.of(6, 0, 10, 4), NO_BLOCKS).sessionKey());
        var alice = new TraceRequest(7, 0, 10, 4, "alice", 0, new long[0], 0);
        assertEquals("alice", new Arrival(alice, NO_BLOCKS).sessionKey());
    }
}
