package servelab.plugins.routing.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import servelab.api.route.ReplicaView;
import servelab.plugins.routing.common.testing.ReplicaSnapshot;

class PickTest {

    @Test
    void tiesGoToTheFirstFromTheStartPosition() {
        // given: replicas 0 and 2 tie at 1 queued request, replica 1 has 3
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withQueue(1, 0), ReplicaSnapshot.idle(1).withQueue(3, 0),
                ReplicaSnapshot.idle(2).withQueue(1, 0));
        // then: scanning from 0 picks 0, from 1 or 2 picks 2
        assertEquals(0, Pick.leastLoaded(rs, 0, Pick::requests));
        assertEquals(2, Pick.leastLoaded(rs, 1, Pick::requests));
        assertEquals(2, Pick.leastLoaded(rs, 2, Pick::requests));
    }

    @Test
    void skipsUnavailableReplicasUnlessNoneIsAvailable() {
        // given: the idle replica 0 is down
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).unavailable(), ReplicaSnapshot.idle(1).withQueue(5, 5));
        assertEquals(1, Pick.leastLoaded(rs, 0, Pick::requests));
        // when every replica is down, the least loaded of all
        List<ReplicaView> down = List.of(ReplicaSnapshot.idle(0).withQueue(2, 0).unavailable(),
                ReplicaSnapshot.idle(1).unavailable());
        assertEquals(1, Pick.leastLoaded(down, 0, Pick::requests));
    }
}
