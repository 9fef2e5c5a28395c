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
                var plugins = new EnumMap<PluginKind, String>(PluginKind.class);
                exp.pluginsByKind().forEach((kind, spec) -> plugins.put(kind, spec.name()));
                var setup = ModelSetup.open(new ModelSetup.Settings(m.path(), m.draftPath(), options, m.warmupS()), plugins);
                var speculator = exp.pluginsByKind().get(PluginKind.SPECULATOR);
                if (speculator != null && speculator.name().equals("layer-skip")
                        && speculator.params().get("layers") instanceof Number layers) {
                    try { // it faulted at every step, with no earlier speculator to go back to
                        setup.requireDraftLayers(layers.intValue());
                    } catch (IllegalArgumentException e) {
                        setup.close();
                        throw e;
                    }
                }
                yield setup;
            }
        };
    }

    private static SimulatedSetup.Settings costSettings(Experiment exp) {
        return new SimulatedSetup.Settings(exp.profile(), new AcceptanceModel(exp.speculation().acceptance(),
                exp.seed()), exp.speculation().draftCost());
    }

}
