package servelab.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;

import servelab.runtime.exec.cost.CostModels;
import servelab.runtime.exec.cost.CostProfileException;
import servelab.runtime.experiment.ExperimentFile;

/** The YAML a user writes: experiments and cost-model profiles. Property: a value, or an error naming the file. */
class ConfigFuzzTest {

    @FuzzTest(maxDuration = "6s")
    void experimentYaml(byte[] bytes) throws IOException {
        var file = Inputs.write("experiment.yaml", bytes);
        try {
            ExperimentFile.load(file, List.of());
        } catch (IllegalArgumentException e) {
            Inputs.requireNamed(e, "experiment.yaml");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @FuzzTest(maxDuration = "6s")
    void profileYaml(byte[] bytes) throws IOException {
        var file = Inputs.write("profile.yaml", bytes);
        try {
            CostModels.load(file.toString());
        } catch (CostProfileException e) {
            Inputs.requireNamed(e, "profile.yaml");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
