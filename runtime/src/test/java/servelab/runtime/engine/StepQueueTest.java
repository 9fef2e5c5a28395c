package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The heap picks what a scan of every replica would: the one with work free soonest, the lowest index on ties. */
class StepQueueTest {

    private static int scan(long[] freeAt, boolean[] work) {
        int best = -1;
        for (int i = 0; i < freeAt.length; i++) if (work[i] && (best < 0 || freeAt[i] < freeAt[best])) best = i;
        return best;
    }

    @Test
    void picksWhatAScanPicksThroughStepsHandOversAndLostWork() {
        var random = new SplittableRandom(1);
        for (int n : new int[] {1, 2, 7, 64}) {
            long[] freeAt = new long[n];
            boolean[] work = new boolean[n];
            var queue = new StepQueue(freeAt, r -> work[r]);
            for (int op = 0; op < 20_000; op++) {
                int r = random.nextInt(n);
                switch (random.nextInt(3)) {
                    case 0 -> { // work handed over: an idle replica starts no earlier than now
                        if (!work[r]) freeAt[r] = Math.max(freeAt[r], random.nextLong(50));
                        work[r] = true;
                        queue.update(r);
                    }
                    case 1 -> { // the next replica steps: it is busy until a later time, and may run out of work
                        int next = queue.next();
                        assertEquals(scan(freeAt, work), next, "op " + op);
                        if (next < 0) break;
                        freeAt[next] += random.nextInt(3) * 5L; // equal times are common: ties matter
                        work[next] = random.nextInt(4) > 0;
                        queue.update(next);
                    }
                    default -> work[r] = work[r] && random.nextInt(5) > 0; // a crash or withdrawal, no call
                }
                assertEquals(scan(freeAt, work), queue.next(), "op " + op + ", " + n + " replicas");
            }
        }
    }
}
