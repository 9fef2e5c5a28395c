package servelab.schedulers.random;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.ParamType;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.sched.Ordering;
import servelab.api.sched.Scheduler;

/**
 * A random order of the waiting queue every step, SGLang's {@code random} policy ({@code schedule_policy.py}):
 * the baseline that shows what an ordering is worth. Ours is seeded ({@code seed}), so a run replays exactly;
 * policies cannot read the run's seed through the SPI, so it is a parameter. Running requests keep their order
 * (victim: the most recently scheduled).
 *
 * <p>Stateful in one way only: the generator advances with every call, so the n-th step's order depends on the seed
 * and n. A fresh instance (after a swap) starts the sequence again. Cost: O(w) per call (Fisher-Yates).
 */
@Component(service = PluginFactory.class)
public final class RandomScheduler implements PluginFactory<Scheduler> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.SCHEDULER, "random", "1.0.0",
            "Waiting requests in a seeded random order each step (SGLang random).",
            List.of(new ParamSpec("seed", ParamType.LONG, 0L, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY,
                    List.of(), "seed of the shuffle")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Scheduler create(Params params) {
        var random = new SplittableRandom(params.getLong("seed"));
        return ctx -> {
            var waiting = new ArrayList<>(ctx.waiting());
            Collections.shuffle(waiting, random);
            return new Ordering(ctx.running(), waiting);
        };
    }
}
