package servelab.schedulers.edf;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.sched.Ordering;
import servelab.api.sched.Scheduler;
import servelab.api.sched.SeqView;
import servelab.schedulers.common.Rank;

/**
 * Earliest deadline first (Liu and Layland, JACM 1973) on the time-to-first-token objective: a waiting request's
 * deadline is its arrival plus {@code ttft_ms}, plus {@code ttft_ms_per_1k_prompt_tokens} for every thousand
 * prompt tokens (an objective that grows with the prompt, as its prefill time does), and the earliest deadline goes
 * first.
 *
 * <p>With one fixed {@code ttft_ms} and no per-token term the deadlines are in arrival order, so EDF orders exactly
 * as FCFS; it differs when deadlines scale with the prompt, or with {@code late=last}: requests whose deadline has
 * passed (on the run's clock) go after every request that can still make its deadline, the usual EDF remedy for
 * overload, where plain EDF lets one late request make every later one late too (the domino effect).
 *
 * <p>Running requests keep their order (victim: the most recently scheduled). Cost: O(w log w) per call.
 */
@Component(service = PluginFactory.class)
public final class EarliestDeadlineFirstScheduler implements PluginFactory<Scheduler> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.SCHEDULER, "edf", "1.0.0",
            "Earliest deadline first, deadline = arrival + TTFT SLO (+ per prompt token); late ones optionally last.",
            List.of(ParamSpec.ofDouble("ttft_ms", 1000.0, 0.0, 1e9, "TTFT objective added to the arrival time, ms"),
                    ParamSpec.ofDouble("ttft_ms_per_1k_prompt_tokens", 0.0, 0.0, 1e9,
                            "extra TTFT allowed per 1,000 prompt tokens, ms"),
                    ParamSpec.ofChoice("late", "keep", List.of("keep", "last"),
                            "requests past their deadline: keep their place, or go after all that can still make it")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Scheduler create(Params params) {
        long ttftNanos = Math.round(params.getDouble("ttft_ms") * 1e6);
        double perPromptTokenNanos = params.getDouble("ttft_ms_per_1k_prompt_tokens") * 1e3;
        boolean lateLast = params.getString("late").equals("last");
        return ctx -> {
            long now = ctx.clock().nanos();
            return new Ordering(ctx.running(), Rank.byKey(ctx.waiting(), seq -> {
                long deadline = deadline(seq, ttftNanos, perPromptTokenNanos);
                // a late request sorts after every punctual one, and among late ones by deadline again
                return lateLast && deadline < now ? Long.MAX_VALUE / 2 + deadline : deadline;
            }));
        };
    }

    static long deadline(SeqView seq, long ttftNanos, double perPromptTokenNanos) {
        return seq.arrivalNanos() + ttftNanos + Math.round(perPromptTokenNanos * seq.promptTokens());
    }
}
