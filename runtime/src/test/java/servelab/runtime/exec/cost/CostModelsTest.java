package servelab.runtime.exec.cost;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CostModelsTest {
    @TempDir
    Path dir;

    @Test
    void listsTheBundledProfilesInIndexOrder() {
        assertEquals(List.of("llama-3-8b/a100-80gb", "llama-3-8b/h100-80gb", "llama-3.1-8b/h100-80gb", "llama-3-70b/a100-80gb-tp4",
                "llama-3-70b/h100-80gb-tp4", "tiny/cpu"), CostModels.available());
    }

    @Test
    void indexListsEveryBundledProfileFile() throws IOException, URISyntaxException {
        // the index exists because a jar cannot be listed; on the test classpath the folder can, so check it
        var root = Path.of(getClass().getClassLoader().getResource(CostModels.PROFILES).toURI());
        try (var files = Files.walk(root)) {
            var onDisk = files.filter(f -> f.toString().endsWith(".yaml"))
                    .map(f -> root.relativize(f).toString().replace('\\', '/').replaceAll("\\.yaml$", ""))
                    .sorted().toList();
            assertEquals(CostModels.available().stream().sorted().toList(), onDisk);
        }
    }

    @Test
    void everyBundledProfileLoadsAsARooflineAndStatesItsDerivation() {
        for (var name : CostModels.available()) {
            var profile = CostModels.loadProfile(name);
            assertInstanceOf(RooflineCostModel.class, CostModels.of(profile), name);
            assertTrue(profile.derivation().length() > 200, name + " derivation too short to cite its sources");
            assertTrue(profile.source().endsWith(name + ".yaml"), profile.source());
        }
    }

    @Test
    void loadsAProfileFileByPath() {
        var model = CostModels.load(TestProfiles.write(dir, "toy.yaml", TestProfiles.TOY));
        assertEquals("roofline toy on toy-device (f32, tp=1)", model.describe());
    }

    @Test
    void aFileOverridesTheFieldsOfItsBaseAndKeepsTheRest() {
        // given: the bundled 8B H100 profile with fp8 KV cache
        var file = TestProfiles.write(dir, "fp8-kv.yaml", """
                base: llama-3-8b/h100-80gb
                derivation: as llama-3-8b/h100-80gb, with an fp8 KV cache
                serving:
                  kv_dtype: fp8
                """);
        var profile = CostModels.loadProfile(file);
        // then: KV per token halves (65,536 B), so capacity about doubles; everything else is the base's
        assertEquals(65_536, profile.kvBytesPerToken(), 0);
        assertEquals(0.9, profile.serving().memoryUtilization());
        assertEquals(55_615, CostModels.of(profile).kvCapacityBlocks(16));
    }
}
