package servelab.schedulers.vtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static servelab.testkit.TinyEngine.request;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.sched.Scheduler;
import servelab.testkit.FakeQueues.Seq;
import servelab.testkit.FakeQueues;
import servelab.testkit.ReferencePolicies;
import servelab.testkit.SchedulerContractTest;
import servelab.testkit.TinyEngine;

class VtcSchedulerTest extends SchedulerContractTest {
    @Override
    protected PluginFactory<Scheduler> factory() {
        return new VirtualTokenCounterScheduler();
    }

    @Override
    protected List<Map<String, Object>> parameterSets() {
        return List.of(Map.of(), Map.of("input_weight", 0.0, "output_weight", 1.0));
    }

    @Test
    void picksAlternateBetweenTenantsWithEqualCounters() {
        // given: fresh counters; tenant a's two requests arrived before tenant b's two, equal prompts
        var queues = new FakeQueues().waiting(Seq.waiting(0, 0, 8, 8).tenant("a"), Seq.waiting(1, 1, 8, 8).tenant("a"),
                Seq.waiting(2, 2, 8, 8).tenant("b"), Seq.waiting(3, 3, 8, 8).tenant("b"));
        // then: a, b, a, b: each pick charges its tenant the prompt, so the other tenant is next
        assertEquals(longs(0, 2, 1, 3), waitingIds(create(Map.of()), queues));
    }

    @Test
    void aTenantThatWasServedMoreWaitsBehindOneServedLess() {
        // given: tenant a has a running request with a 100-token prompt; a1 arrived before b1
        var queues = new FakeQueues().running(Seq.running(9, 0, 100, 50, 1).tenant("a"))
                .waiting(Seq.waiting(1, 1, 8, 8).tenant("a"), Seq.waiting(2, 2, 8, 8).tenant("b"));
        // then: a's counter is 100 + 2 x 1, b's 0: b1 first
        assertEquals(longs(2, 1), waitingIds(create(Map.of()), queues));
    }

    @Test
    void aTenantThatStartsWaitingIsLiftedToTheSmallestWaitingCounter() {
        // given: a waits while its running request accrues 104; then b (counter 0) starts waiting
        var vtc = create(Map.of());
        var x = Seq.running(9, 0, 100, 50, 1).tenant("a");
        var a1 = Seq.waiting(1, 1, 8, 8).tenant("a");
        var a2 = Seq.waiting(2, 2, 8, 8).tenant("a");
        vtc.order(new FakeQueues().running(x).waiting(a1, a2));
        var order = waitingIds(vtc, new FakeQueues().running(x.produced(2)).waiting(a1, a2, Seq.waiting(3, 3, 8, 8).tenant("b")));
        // then: b joins at a's counter (104), not at 0, so it does not jump ahead of all of a's requests
        assertEquals(longs(1, 3, 2), order);
    }

    @Test
    void aFinishedRequestIsChargedTheTokensOfItsLastStep() {
        // given: x (tenant a, prompt 10) has 4 of 5 tokens: a = 10 + 2 x 4 = 18; y (b, prompt 9) 5 tokens: b = 19
        var vtc = create(Map.of());
        var y = Seq.running(8, 0, 9, 20, 5).tenant("b");
        vtc.order(new FakeQueues().running(Seq.running(7, 0, 10, 5, 4).tenant("a"), y));
        // when: x finishes in the next step (gone from both queues), y generates nothing new
        var order = waitingIds(vtc, new FakeQueues().running(y)
                .waiting(Seq.waiting(1, 1, 8, 8).tenant("a"), Seq.waiting(2, 2, 8, 8).tenant("b")));
        // then: x's last token is charged (a = 20 > b = 19), so b goes first
        assertEquals(longs(2, 1), order);
    }

    @Test
    void aRequestThatLeftBeforeFinishingIsNotChargedTheOutputItNeverGot() {
        // given: x (tenant a, prompt 10) has 4 of 50 tokens: a = 10 + 2 x 4 = 18; y (b, prompt 9) 5 tokens: b = 19
        var vtc = create(Map.of());
        var y = Seq.running(8, 0, 9, 20, 5).tenant("b");
        vtc.order(new FakeQueues().running(Seq.running(7, 0, 10, 50, 4).tenant("a"), y));
        // when: x leaves (cancelled, failed, timed out) with 46 tokens to go, more than one step makes
        var order = waitingIds(vtc, new FakeQueues().running(y)
                .waiting(Seq.waiting(1, 1, 8, 8).tenant("a"), Seq.waiting(2, 2, 8, 8).tenant("b")));
        // then: a stays at 18 (it was charged 18 + 2 x 46 = 110, as if served), so a's request goes first
        assertEquals(longs(1, 2), order);
    }

    @Test
    void aStepThatMakesSeveralTokensStillCountsAsTheLastOneOfAFinishedRequest() {
        // given: speculation: x (a, prompt 10) goes from 4 to 7 of 10 tokens in one step; y (b, prompt 9) has 8
        var vtc = create(Map.of());
        var y = Seq.running(8, 0, 9, 40, 8).tenant("b"); // b = 9 + 2 x 8 = 25
        var x = Seq.running(7, 0, 10, 10, 4).tenant("a");
        vtc.order(new FakeQueues().running(x, y));
        vtc.order(new FakeQueues().running(x.produced(7), y)); // a = 10 + 2 x 7 = 24
        // when: x finishes with its last 3 tokens, a step's worth as seen
        var order = waitingIds(vtc, new FakeQueues().running(y)
                .waiting(Seq.waiting(1, 1, 8, 8).tenant("a"), Seq.waiting(2, 2, 8, 8).tenant("b")));
        // then: they are charged (a = 30 > b = 25): b first
        assertEquals(longs(2, 1), order);
    }

    @Test
    void aLightTenantIsNotStarvedBehindAHeavyTenantsBacklog() {
        // given: 16 requests of a heavy tenant, then 4 of a light one, all at once; 2 sequences per step
        var trace = new ArrayList<TinyEngine.Request>();
        for (int i = 0; i < 20; i++) trace.add(request(i, 0, 8, 8, i < 16 ? "heavy" : "light", 0));
        var engine = new TinyEngine().batcher(ReferencePolicies.batcher(Map.of("max_num_seqs", 2))).blocks(64, 4);
        var vtc = engine.scheduler(new VirtualTokenCounterScheduler(), Map.of()).run(trace);
        var fcfs = engine.scheduler(ReferencePolicies.fcfs()).run(trace);
        // then: under FCFS all 16 heavy requests finish before the last light one; under VTC about as many heavy
        // as light requests do (equal service while both wait)
        assertEquals(16, heavyDoneBeforeLastLight(fcfs));
        assertTrue(heavyDoneBeforeLastLight(vtc) <= 5, "heavy requests done first: " + heavyDoneBeforeLastLight(vtc));
    }

    /** Heavy requests (ids 0-15) that finished before the last light one (ids 16-19). */
    private static long heavyDoneBeforeLastLight(TinyEngine.Run run) {
        var order = run.finishOrder();
        int lastLight = 0;
        for (int i = 0; i < order.size(); i++) if (order.get(i) >= 16) lastLight = i;
        return order.subList(0, lastLight).stream().filter(id -> id < 16).count();
    }
}
