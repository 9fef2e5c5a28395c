package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import servelab.runtime.record.EventRow;

/** Each engine event becomes the events-table row the recorder has always written for it. */
class EngineEventTest {
    @Test
    void aPolicySwapIsASwapRowNamingBothPoliciesAndTheSource() {
        assertEquals(new EventRow(5, 2, 1, "swap", "scheduler", "fcfs@1.0.0", "sjf@1.0.0", "sjf.jar"),
                ResultSink.row(new EngineEvent.PolicySwap(5, 2, 1, "scheduler", "fcfs@1.0.0", "sjf@1.0.0", "sjf.jar")));
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
                ResultSink.row(new EngineEvent.Preemption(9, 4, 0, 42, true, false)));
        assertEquals(new EventRow(9, 4, 0, "preempt", "", "42", "recompute", "host tier full: recomputing instead"),
                ResultSink.row(new EngineEvent.Preemption(9, 4, 0, 42, false, true)));
        assertEquals(new EventRow(9, 4, 0, "preempt", "", "42", "recompute", ""),
                ResultSink.row(new EngineEvent.Preemption(9, 4, 0, 42, false, false)));
    }
}
