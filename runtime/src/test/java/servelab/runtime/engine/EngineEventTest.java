package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import servelab.runtime.record.EventRow;

/** Each engine event becomes the events-table row the recorder has always written for it. */
class EngineEventTest {
    @Test
    void aPolicySwapIsASwapRowNamingBothPoliciesTheSourceAndTheParameters() {
        assertEquals(new EventRow(5, 2, 1, "swap", "scheduler", "fcfs@1.0.0", "sjf@1.0.0", "sjf.jar",
                        java.util.Map.of("key", "prompt")),
                ResultSink.row(new EngineEvent.PolicySwap(5, 2, 1, "scheduler", "fcfs@1.0.0", "sjf@1.0.0", "sjf.jar",
                        java.util.Map.of("key", "prompt"))));
    }

    @Test
    void aPolicyFaultSaysWhetherTheSlotWasReverted() {
        assertEquals(new EventRow(7, 3, 0, "fault", "batcher", "b@1", "reverted", "boom"),
                ResultSink.row(new EngineEvent.PolicyFault(7, 3, 0, "batcher", "b@1", true, "boom")));
        assertEquals(new EventRow(7, -1, -1, "fault", "router", "r@1", "", "sent to replica 0"),
                ResultSink.row(new EngineEvent.PolicyFault(7, -1, -1, "router", "r@1", false, "sent to replica 0")));
    }

    @Test
    void aPreemptionNamesTheRequestAndHowItsKvWasHandled() {
        assertEquals(new EventRow(9, 4, 0, "preempt", "", "42", "swap", ""),
                ResultSink.row(new EngineEvent.Preemption(9, 4, 0, 42, true, "")));
        assertEquals(new EventRow(9, 4, 0, "preempt", "", "42", "recompute", "host tier full: recomputing instead"),
                ResultSink.row(new EngineEvent.Preemption(9, 4, 0, 42, false, "host tier full: recomputing instead")));
        assertEquals(new EventRow(9, 4, 0, "preempt", "", "42", "recompute", ""),
                ResultSink.row(new EngineEvent.Preemption(9, 4, 0, 42, false, "")));
    }

    @Test
    void anInjectedFaultsStartAndEndAreRowsOfTheirOwnTypesNamingTheKind() {
        assertEquals(new EventRow(3, -1, 2, "fault-start", "partition", "", "", "partition of replica 2"),
                ResultSink.row(new EngineEvent.InjectedFault(3, 2, "partition", true, "partition of replica 2")));
        assertEquals(new EventRow(4, -1, -1, "fault-end", "lost-responses", "", "", "x"),
                ResultSink.row(new EngineEvent.InjectedFault(4, -1, "lost-responses", false, "x")));
    }

    @Test
    void aReplicaStateChangeAndAScalingDecisionNameBothSides() {
        assertEquals(new EventRow(5, -1, 1, "replica", "", "serving", "down", "crash"),
                ResultSink.row(new EngineEvent.ReplicaStateChange(5, 1, "serving", "down", "crash")));
        assertEquals(new EventRow(6, -1, -1, "scale", "autoscaler", "2", "4", "target-queue@1.0.0: start r2, r3"),
                ResultSink.row(new EngineEvent.Scaling(6, "target-queue@1.0.0", 2, 4, "start r2, r3")));
    }
}
