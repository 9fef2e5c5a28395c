package servelab.runtime.experiment;

import java.util.List;

import servelab.runtime.engine.Simulation;
import servelab.runtime.host.HostListener;
import servelab.runtime.host.PluginRegistry;
import servelab.runtime.host.PluginSelection;

/** The experiment's {@code swaps}: checked before the replay, and each made when the run clock reaches its time. */
final class ScheduledSwaps {
    private ScheduledSwaps() {}

    /** What each switch asks for, for the jars a run deploys at its start. */
    static List<PluginSelection> selections(Experiment exp) {
        var out = new java.util.ArrayList<PluginSelection>();
        for (int i = 0; i < exp.swaps().size(); i++) out.add(exp.swaps().get(i).selection("swaps[" + i + "]"));
        return out;
    }

    /**
     * Refuses, before anything runs, a switch whose plugin is not installed or whose parameters it does not take
     * (a mistake found only when the run clock got there would end the run halfway).
     */
    static void check(Experiment exp, PluginRegistry registry) {
        var selections = selections(exp);
        for (int i = 0; i < selections.size(); i++) {
            try {
                registry.instantiate(selections.get(i));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("swaps[" + i + "] (at " + exp.swaps().get(i).atMs() + " ms): "
                        + e.getMessage(), e);
            }
        }
    }

    /** Makes each switch at its time, as ctl switch makes one; what it answers goes to {@code listener}. */
    static void schedule(Experiment exp, Simulation sim, PluginRegistry registry, HostListener listener) {
        var selections = selections(exp);
        for (int i = 0; i < selections.size(); i++) {
            var swap = exp.swaps().get(i);
            var selection = selections.get(i);
            String key = "swaps[" + i + "]";
            sim.at(swap.atNanos(), () -> listener.report("info", swap.kind(), "", "", key + " at " + swap.atMs()
                    + " ms: " + registry.switchTo(selection)));
        }
    }
}
