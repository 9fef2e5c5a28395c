package servelab.schedulers.dfsweight;

import java.util.Arrays;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.sched.Ordering;
import servelab.api.sched.Scheduler;
import servelab.api.sched.SchedulingContext;
import servelab.api.sched.SeqView;
import servelab.schedulers.common.Rank;

/**
 * SGLang's {@code dfs-weight} policy ({@code schedule_policy.py}, after the radix-tree scheduling of Zheng et al.,
 * NeurIPS'24): each waiting request hangs from the radix-tree node where its cached prefix ends; a node's weight is
 * the number of waiting requests below it; a depth-first walk visits heavier subtrees first and emits each node's
 * requests after its children's. Requests that share a cached prefix run together, the biggest groups first, so
 * shared prefixes are served while they are resident.
 *
 * <p>Where ours differs: the SPI tells a scheduler how many prompt tokens of a request are cached
 * ({@code ctx.cachedPrefixTokens}) but not which tree node they end at. So requests with equal match lengths are
 * taken to hang from the same node, under one root: groups of requests with equal positive match length, largest
 * group first (ties: longer match first), each group in arrival order, then the requests with no match. That is
 * SGLang's walk exactly when equal match lengths mean a shared prefix (one system prompt per application, say), and
 * a coarser grouping otherwise. Without a prefix cache every match is 0 and the order is FCFS. Running requests keep
 * their order (victim: the most recently scheduled).
 *
 * <p>Cost: O(w log w) plus w cache look-ups per call.
 */
@Component(service = PluginFactory.class)
public final class DfsWeightScheduler implements PluginFactory<Scheduler> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.SCHEDULER, "dfs-weight", "1.0.0",
            "Requests sharing a cached prefix together, largest group first (SGLang dfs-weight, by match length).",
            List.of());

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Scheduler create(Params params) {
        return ctx -> new Ordering(ctx.running(), byGroup(ctx));
    }

    private static List<SeqView> byGroup(SchedulingContext ctx) {
        var waiting = ctx.waiting();
        int n = waiting.size();
        int[] matched = new int[n];
        boolean anyMatch = false;
        for (int i = 0; i < n; i++) {
            matched[i] = ctx.cachedPrefixTokens(waiting.get(i));
            anyMatch |= matched[i] > 0;
        }
        if (!anyMatch) return waiting;
        // group sizes without boxing: the distinct match lengths, sorted, and how many requests have each
        int[] sorted = matched.clone();
        Arrays.sort(sorted);
        int[] lengths = new int[n];
        int[] sizes = new int[n];
        int groups = 0;
        for (int i = 0; i < n; i++) {
            if (groups > 0 && lengths[groups - 1] == sorted[i]) sizes[groups - 1]++;
            else { lengths[groups] = sorted[i]; sizes[groups++] = 1; }
        }
        // heavier group first, then the longer match; packed so one long compares both (sizes and lengths < 2^31)
        long[] key = new long[n];
        for (int i = 0; i < n; i++) {
            int size = sizes[Arrays.binarySearch(lengths, 0, groups, matched[i])];
            key[i] = matched[i] == 0 ? Long.MAX_VALUE
                    : ((long) (Integer.MAX_VALUE - size) << 31) | (Integer.MAX_VALUE - matched[i]);
        }
        return Rank.byKeys(waiting, key);
    }
}
