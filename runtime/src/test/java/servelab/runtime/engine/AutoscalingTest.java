package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginKind;
import servelab.api.route.ReplicaView;
import servelab.api.route.Router;
import servelab.api.scale.Autoscaler;
import servelab.datasets.TraceRequest;
import servelab.runtime.cluster.Delay;
import servelab.runtime.cluster.Network;
import servelab.runtime.cluster.ReplicaState;
import servelab.runtime.record.EventRow;

/** The autoscaler slot grows and shrinks the fleet; replicas cost replica-seconds while provisioned. */
class AutoscalingTest {
    private static final long MS = 1_000_000L;
    private static final Router LEAST_QUEUED = (r, views) -> views.stream()
            .min(Comparator.comparingInt(ReplicaView::queuedRequests).thenComparingInt(ReplicaView::index))
            .orElseThrow().index();

    private static TinyCluster cluster(int n, Autoscaler autoscaler) {
        var c = new TinyCluster(n, 64, LEAST_QUEUED, TinyCluster.options(n, Network.NONE, 0, false));
        c.slots.slot(PluginKind.AUTOSCALER, Autoscaler.class).install(new PolicySlot.Installed<>(autoscaler,
                TinyEngine.descriptorOf("test-scaler", PluginKind.AUTOSCALER), Map.of(), "test"));
        return c;
    }

    private static List<TraceRequest> spaced(int n, double everyMs, int output) {
        var list = new ArrayList<TraceRequest>();
        for (int i = 0; i < n; i++) list.add(TinyCluster.request(i, i * everyMs, 32, output));
        return list;
    }

    private static List<String> lifecycle(TinyCluster.Rows rows) {
        return rows.events.stream().filter(e -> e.type().equals("replica"))
                .map(e -> "r" + e.replica() + " " + e.from() + ">" + e.to() + "@" + e.timeNanos() / MS).toList();
    }

    @Test
    void replicasBeyondTheInitialFleetAreOffUntilTheAutoscalerStartsThemAndServeAfterTheirColdStart() {
        var c = cluster(3, fleet -> 3);
        c.simulation.autoscale(new Simulation.Scaling(1, 3, 1, 20 * MS, 5 * MS), new long[] {0, 30 * MS, 30 * MS});
        assertEquals(ReplicaState.OFF, c.simulation.state(2));
        var rows = c.run(spaced(40, 3, 30));
        // at the first tick (20 ms) both start; they serve at 20 + 30 + 5 = 55 ms
        assertEquals(List.of("r1 off>starting@20", "r2 off>starting@20", "r1 starting>serving@55",
                "r2 starting>serving@55"), lifecycle(rows));
        var scale = rows.events.stream().filter(e -> e.type().equals("scale")).toList();
        assertEquals(1, scale.size());
        assertEquals(List.of("1", "3"), List.of(scale.getFirst().from(), scale.getFirst().to()));
        assertEquals("test-scaler@1.0.0: start r1, start r2", scale.getFirst().detail());
        for (var row : rows.requests) {
            assertTrue(row.isOk(), row.error());
            if (row.arrivalNanos() < 55 * MS) assertEquals(0, row.replica(), "before the cold start ended");
        }
        assertTrue(rows.requests.stream().anyMatch(r -> r.replica() == 2), "r2 serves once started");
    }

    @Test
    void anAutoscalerSwitchedMidRunIsRecordedAfterTheNextStepNotAtTheNextTick() {
        // given: ticks every 10 s, and a run of under a second; the autoscaler is switched (as ctl does) when request
        // 5 is routed, at 50 ms
        var made = new TinyCluster[1];
        Router switching = (r, views) -> {
            if (r.id() == 5) made[0].slots.slot(PluginKind.AUTOSCALER, Autoscaler.class).install(new PolicySlot.Installed<>(
                    (Autoscaler) fleet -> 2, TinyEngine.descriptorOf("other-scaler", PluginKind.AUTOSCALER), Map.of(), "ctl"));
            return LEAST_QUEUED.route(r, views);
        };
        var c = made[0] = new TinyCluster(2, 64, switching, TinyCluster.options(2, Network.NONE, 0, false));
        c.slots.slot(PluginKind.AUTOSCALER, Autoscaler.class).install(new PolicySlot.Installed<>((Autoscaler) fleet -> 2,
                TinyEngine.descriptorOf("test-scaler", PluginKind.AUTOSCALER), Map.of(), "test"));
        c.simulation.autoscale(new Simulation.Scaling(1, 2, 2, 10_000 * MS, 0), new long[2]);
        var rows = c.run(spaced(10, 10, 8));
        // then: the swap is in events.arrow, at the step after the switch (it waited for a tick the run never reached)
        var swaps = rows.events.stream().filter(e -> e.type().equals("swap") && e.kind().equals("autoscaler")).toList();
        assertEquals(1, swaps.size(), rows.events.toString());
        assertEquals("other-scaler@1.0.0", swaps.getFirst().to());
        assertTrue(swaps.getFirst().timeNanos() >= 50 * MS && swaps.getFirst().timeNanos() < 100 * MS,
                "recorded at " + swaps.getFirst().timeNanos());
    }

    @Test
    void fewerReplicasDrainTheLeastQueuedWhichFinishTheirRequestsAndGoOff() {
        var c = cluster(3, fleet -> fleet.nowNanos() >= 20 * MS ? 1 : 3);
        c.simulation.autoscale(new Simulation.Scaling(1, 3, 3, 20 * MS, 0), new long[3]);
        // 6 long requests at 0 spread over the three (two each), then more after the drain
        var trace = new ArrayList<>(spaced(6, 0, 60));
        for (int i = 6; i < 12; i++) trace.add(TinyCluster.request(i, 25 + i, 32, 4));
        var rows = c.run(trace);
        for (var row : rows.requests) assertTrue(row.isOk(), row.error());
        var life = lifecycle(rows);
        // every replica is equally queued at 20 ms: the tie goes to the highest index, twice
        assertEquals("r2 serving>draining@20", life.get(0));
        assertEquals("r1 serving>draining@20", life.get(1));
        assertTrue(life.contains("r2 draining>off@" + offAt(rows, 2)), life.toString());
        for (var row : rows.requests) {
            if (row.requestId() >= 6) assertEquals(0, row.replica(), "draining replicas take nothing new");
        }
        assertEquals(ReplicaState.OFF, c.simulation.state(1));
        assertEquals(ReplicaState.OFF, c.simulation.state(2));
    }

    @Test
    void aDrainingReplicaEmptiedBetweenStepsGoesOffThen() {
        // given: two long requests at 0, one each; the fleet shrinks to 1 at 20 ms (r1 drains); both requests time
        // out at 50 ms (withdrawn between steps), and a short one comes at 100 ms
        var options = TinyCluster.options(2, Network.NONE, 0, false)
                .withGateway(new servelab.runtime.cluster.GatewaySettings(50 * MS, 0, true, "", 100, 0));
        Router byId = (r, views) -> views.get((int) (r.id() % views.size())).index();
        var c = new TinyCluster(2, 64, byId, options);
        c.slots.slot(PluginKind.AUTOSCALER, Autoscaler.class).install(new PolicySlot.Installed<>(
                (Autoscaler) fleet -> fleet.nowNanos() >= 20 * MS ? 1 : 2,
                TinyEngine.descriptorOf("test-scaler", PluginKind.AUTOSCALER), Map.of(), "test"));
        c.simulation.autoscale(new Simulation.Scaling(1, 2, 2, 20 * MS, 0), new long[2]);
        var trace = new ArrayList<>(spaced(2, 0, 200)); // about 200 ms each: past the deadline
        trace.add(TinyCluster.request(2, 100, 32, 4));
        var rows = c.run(trace);
        // then: r1 goes off at the deadline that emptied it (it stayed draining, billed, to the end of the run)
        var life = lifecycle(rows);
        assertTrue(life.contains("r1 serving>draining@20"), life.toString());
        assertTrue(life.contains("r1 draining>off@50"), life.toString());
    }

    @Test
    void aDrainingReplicaTakesTheCopyStillOnItsWayBeforeGoingOff() {
        // given: 10 ms from router to replica; request 1 is routed to r1 at 15 ms, and at the 20 ms tick the fleet
        // shrinks to 1 and r1, empty, drains while the copy is on the network
        var network = new Network(Delay.NONE, new Delay.Fixed(10 * MS), Delay.NONE, 1);
        Router byId = (r, views) -> views.get((int) (r.id() % views.size())).index();
        var c = new TinyCluster(2, 64, byId, TinyCluster.options(2, network, 0, false));
        c.slots.slot(PluginKind.AUTOSCALER, Autoscaler.class).install(new PolicySlot.Installed<>(
                (Autoscaler) fleet -> fleet.nowNanos() >= 20 * MS ? 1 : 2,
                TinyEngine.descriptorOf("test-scaler", PluginKind.AUTOSCALER), Map.of(), "test"));
        c.simulation.autoscale(new Simulation.Scaling(1, 2, 2, 20 * MS, 0), new long[2]);
        var rows = c.run(List.of(TinyCluster.request(0, 0, 32, 4), TinyCluster.request(1, 15, 32, 4),
                TinyCluster.request(2, 100, 32, 4)));
        // then: r1 serves it and goes off after (it went off at once, and the copy failed as unreachable)
        for (var row : rows.requests) assertTrue(row.isOk(), row.requestId() + ": " + row.error());
        assertEquals(1, rows.byId(1).replica());
        var life = lifecycle(rows);
        assertTrue(life.contains("r1 serving>draining@20"), life.toString());
        assertTrue(life.stream().anyMatch(l -> l.startsWith("r1 draining>off@") && !l.endsWith("@20")), life.toString());
    }

    @Test
    void anAskThatNoReplicaCanMeetChangesNothingAndRecordsNoScaleRow() {
        // given: three replicas, all serving; r0 crashes for good at 5 ms; the autoscaler always asks for 4
        var c = cluster(3, fleet -> 4);
        c.simulation.faults(List.of(new servelab.runtime.cluster.Fault.Crash(5 * MS, 0, false, 0)), new long[3]);
        c.simulation.autoscale(new Simulation.Scaling(1, 3, 3, 20 * MS, 0), new long[3]);
        var rows = c.run(spaced(20, 5, 8));
        // then: no replica is off to start, so no decision changed the fleet: no scale row (each tick wrote one,
        // "1 more wanted, none off", which the report drew as a scaling decision)
        assertTrue(rows.events.stream().noneMatch(e -> e.type().equals("scale")), rows.events.toString());
    }

    @Test
    void aDrainingReplicaThatCrashesStaysOffRatherThanRestartingIntoService() {
        var c = cluster(2, fleet -> fleet.nowNanos() >= 20 * MS ? 1 : 2);
        c.simulation.autoscale(new Simulation.Scaling(1, 2, 2, 20 * MS, 0), new long[2]);
        c.simulation.faults(List.of(new servelab.runtime.cluster.Fault.Crash(30 * MS, 1, true, 0)), new long[2]);
        var rows = c.run(spaced(8, 5, 40));
        var life = lifecycle(rows);
        // the crash ends its drain: it restarted into serving, undoing the scale-down, and took requests
        assertTrue(life.contains("r1 draining>down@30") && life.contains("r1 down>off@30"), life.toString());
        assertTrue(life.stream().noneMatch(l -> l.startsWith("r1 down>starting")), life.toString());
        assertEquals(ReplicaState.OFF, c.simulation.state(1));
        assertEquals(List.of("fault-start@30", "fault-end@30"), faultRows(rows, 1), "the crash ends as the replica goes off");
    }

    @Test
    void aCrashWhoseRestartTheAutoscalerStopsEndsThen() {
        // given: r1 crashes at 5 ms and restarts with a 100 ms cold start; at 20 ms the autoscaler wants one replica
        var c = cluster(2, fleet -> fleet.nowNanos() >= 20 * MS ? 1 : 2);
        c.simulation.autoscale(new Simulation.Scaling(1, 2, 2, 20 * MS, 0), new long[] {100 * MS, 100 * MS});
        c.simulation.faults(List.of(new servelab.runtime.cluster.Fault.Crash(5 * MS, 1, true, 0)), new long[] {100 * MS, 100 * MS});
        var rows = c.run(spaced(8, 5, 40));
        // then: starting ones stop first, and the crash's fault ends there (it never ended: the replica never served again)
        assertTrue(lifecycle(rows).contains("r1 starting>off@20"), lifecycle(rows).toString());
        assertEquals(List.of("fault-start@5", "fault-end@20"), faultRows(rows, 1));
    }

    private static List<String> faultRows(TinyCluster.Rows rows, int replica) {
        return rows.events.stream().filter(e -> e.type().startsWith("fault-") && e.replica() == replica)
                .map(e -> e.type() + "@" + e.timeNanos() / MS).toList();
    }

    /** When replica r's last request ended (its last step), in ms. */
    private static long offAt(TinyCluster.Rows rows, int r) {
        return rows.iterations.stream().filter(i -> i.replica() == r).mapToLong(i -> i.endNanos()).max()
                .orElseThrow() / MS;
    }

    @Test
    void replicaSecondsCountServingStartingAndDrainingTime() {
        var c = cluster(2, fleet -> fleet.nowNanos() >= 40 * MS ? 2 : 1);
        c.simulation.autoscale(new Simulation.Scaling(1, 2, 1, 20 * MS, 0), new long[] {10 * MS, 10 * MS});
        c.run(spaced(30, 4, 20));
        long end = c.simulation.finishedNanos();
        assertEquals(end, c.simulation.replicaNanos(0, end), "r0 served the whole run");
        assertEquals(end - 40 * MS, c.simulation.replicaNanos(1, end), "r1 from its start at 40 ms, cold start included");
    }

    @Test
    void aFixedFleetCostsEveryReplicaTheWholeRunAndRecordsNoScalingEvents() {
        var c = new TinyCluster(2, 64, LEAST_QUEUED, TinyCluster.options(2, Network.NONE, 0, false));
        var rows = c.run(spaced(10, 3, 8));
        long end = c.simulation.finishedNanos();
        assertTrue(end > 0);
        assertEquals(end, c.simulation.replicaNanos(1, end));
        assertTrue(rows.events.stream().noneMatch(e -> e.type().equals("scale") || e.type().equals("replica")));
    }

    @Test
    void theAnswerIsClampedToTheBounds() {
        var c = cluster(3, fleet -> 99);
        c.simulation.autoscale(new Simulation.Scaling(1, 2, 1, 20 * MS, 0), new long[3]);
        var rows = c.run(spaced(20, 3, 10));
        var scale = rows.events.stream().filter(e -> e.type().equals("scale")).map(EventRow::detail).toList();
        assertEquals(List.of("test-scaler@1.0.0: clamped to 2; start r1"), scale);
        assertEquals(ReplicaState.OFF, c.simulation.state(2));
    }

    @Test
    void anAutoscalerThatThrowsIsAFaultAndTheFleetStaysAsItIs() {
        var c = cluster(2, fleet -> {
            throw new IllegalStateException("boom");
        });
        c.simulation.autoscale(new Simulation.Scaling(1, 2, 1, 20 * MS, 0), new long[2]);
        var rows = c.run(spaced(20, 3, 10));
        var fault = rows.events.stream().filter(e -> e.type().equals("fault")).findFirst().orElseThrow();
        assertEquals("autoscaler", fault.kind());
        assertTrue(fault.detail().contains("boom"), fault.detail());
        assertEquals(ReplicaState.OFF, c.simulation.state(1));
        for (var row : rows.requests) assertTrue(row.isOk(), row.error());
    }
}
