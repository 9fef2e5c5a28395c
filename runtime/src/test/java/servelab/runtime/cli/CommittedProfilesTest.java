package servelab.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import servelab.runtime.exec.cost.CostModels;

/**
 * The calibrated profiles committed under {@code benchmarks/calibration/profiles} load, and each carries its generated
 * model's context as {@code max_model_len}: without it a validation simulates requests the model executor refuses.
 */
class CommittedProfilesTest {

    @Test
    void everyCommittedCalibrationProfileLoadsWithItsModelsContext() throws Exception {
        var dir = Path.of("benchmarks/calibration/profiles");
        int checked = 0;
        try (var files = Files.list(dir)) {
            for (var p : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                var generated = p.getFileName().toString().replaceFirst("[-.].*", "");
                var spec = CalibrateCommand.generatedSpec(generated);
                assertNotNull(spec, p + ": made by which --generate model?");
                var profile = CostModels.loadProfile(p.toString());
                assertEquals(spec.contextLength(), profile.serving().maxModelLen(), p.toString());
                assertNotNull(CostModels.load(p.toString()), p.toString());
                checked++;
            }
        }
        assertFalse(checked < 6, "found only " + checked + " profiles in " + dir.toAbsolutePath());
    }
}
