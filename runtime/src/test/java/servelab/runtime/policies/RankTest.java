package servelab.runtime.policies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import servelab.api.sched.SeqView;
import servelab.testkit.FakeQueues;
import servelab.testkit.FakeQueues.Seq;
import servelab.schedulers.common.Rank;

class RankTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void ordersExactlyAsAStableSortByTheKey(long seed) {
        // given: up to 300 sequences with keys from a small range, so many tie
        var random = new SplittableRandom(seed);
        int n = random.nextInt(300);
        var seqs = new ArrayList<SeqView>();
        var keys = new long[n];
        for (int i = 0; i < n; i++) {
            seqs.add(Seq.waiting(i, i, 8, 8));
            keys[i] = random.nextInt(10) - 5;
        }
        // when
        var ranked = Rank.byKeys(seqs, keys);
        // then: the same order as List.sort (stable) by key
        var expected = new ArrayList<>(seqs);
        expected.sort(Comparator.comparingLong(s -> keys[(int) s.id()]));
        assertEquals(FakeQueues.ids(expected), FakeQueues.ids(ranked), "seed " + seed + ", keys " + java.util.Arrays.toString(keys));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 5})
    void aListAlreadyInOrderIsReturnedAsItIs(int n) {
        var seqs = new ArrayList<SeqView>();
        for (int i = 0; i < n; i++) seqs.add(Seq.waiting(i, i, 8, 8));
        List<SeqView> ranked = Rank.byKey(seqs, SeqView::id);
        assertSame(seqs, ranked);
    }
}
