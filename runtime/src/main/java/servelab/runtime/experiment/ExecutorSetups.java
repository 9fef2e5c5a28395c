package servelab.runtime.experiment;

import java.io.IOException;
import java.util.EnumMap;

import servelab.api.PluginKind;
import servelab.runtime.exec.Backend;
import servelab.runtime.exec.EmulatedSetup;
import servelab.runtime.exec.ExecutorSetup;
import servelab.runtime.exec.ModelExecutor;
import servelab.runtime.exec.ModelSetup;
import servelab.runtime.exec.SimulatedSetup;
import servelab.runtime.exec.AcceptanceModel;

/** Opens an experiment's executors (simulated, emulated or the model), refusing what they cannot serve first. */
public final class ExecutorSetups {
    private ExecutorSetups() {}

    /**
     * The experiment's executors, opened: the plugin choices an executor cannot serve are refused before a model or
     * profile is loaded.
     */
    public static ExecutorSetup open(Experiment exp) throws IOException {
        return switch (exp.executor()) {
            case SIMULATED -> SimulatedSetup.open(costSettings(exp));
            case EMULATED -> EmulatedSetup.open(costSettings(exp));
            case MODEL -> {
                var m = exp.model();
                var options = new ModelExecutor.Options(m.sampling(), exp.seed(), Backend.fromId(m.backend()), m.threads());
                var settings = new ModelSetup.Settings(m.path(), m.draftPath(), options, m.warmupS());
                // every replica group's speculator, named with a version or not: a group's, or layer-skip@1.0.0,
                // passed the checks and faulted at every step
                var speculators = ClusterLayout.replicas(exp).stream()
                        .map(plan -> plan.selections().get(PluginKind.SPECULATOR)).filter(java.util.Objects::nonNull)
                        .distinct().toList();
                for (var speculator : speculators) ModelSetup.refuseSpeculator(bare(speculator.name()), settings);
                var plugins = new EnumMap<PluginKind, String>(PluginKind.class);
                exp.pluginsByKind().forEach((kind, spec) -> plugins.put(kind, bare(spec.name())));
                var setup = ModelSetup.open(settings, plugins);
                try { // it faulted at every step, with no earlier speculator to go back to
                    for (var speculator : speculators) {
                        if (bare(speculator.name()).equals("layer-skip")
                                && speculator.params().get("layers") instanceof Number layers) {
                            setup.requireDraftLayers(layers.intValue());
                        }
                    }
                } catch (IllegalArgumentException e) {
                    setup.close();
                    throw e;
                }
                yield setup;
            }
        };
    }

    /** A plugin name without the version a selection may ask for ({@code layer-skip@1.0.0}). */
    private static String bare(String name) {
        int at = name.indexOf('@');
        return at < 0 ? name : name.substring(0, at);
    }

    private static SimulatedSetup.Settings costSettings(Experiment exp) {
        return new SimulatedSetup.Settings(exp.profile(), new AcceptanceModel(exp.speculation().acceptance(),
                exp.seed()), exp.speculation().draftCost());
    }

}
