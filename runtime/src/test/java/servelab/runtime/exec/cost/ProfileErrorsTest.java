package servelab.runtime.exec.cost;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad profiles fail at load with the file, the field and what is accepted. */
class ProfileErrorsTest {
    @TempDir
    Path dir;

    private CostProfileException loadFails(String yaml) {
        var file = TestProfiles.write(dir, "bad.yaml", yaml);
        var e = assertThrows(CostProfileException.class, () -> CostModels.load(file));
        assertEquals(file, e.source().orElseThrow(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        return e;
    }

    @Test
    void namesAMissingFieldAndListsTheSectionsFields() {
        var e = loadFails(TestProfiles.replace(TestProfiles.TOY, "  memory_bandwidth_bytes_per_s: 1.0e8\n", ""));
        assertEquals("hardware.memory_bandwidth_bytes_per_s", e.field());
        assertTrue(e.getMessage().contains("is missing; hardware accepts: name, peak_flops_per_s, memory_bandwidth_bytes_per_s"), e.getMessage());
    }

    @Test
    void namesANegativeBandwidth() {
        var e = loadFails(TestProfiles.replace(TestProfiles.TOY, "memory_bandwidth_bytes_per_s: 1.0e8", "memory_bandwidth_bytes_per_s: -1"));
        assertEquals("hardware.memory_bandwidth_bytes_per_s", e.field());
        assertTrue(e.getMessage().endsWith("must be > 0 and finite, was -1.0"), e.getMessage());
    }

    @Test
    void aMaxModelLenIsAPositiveTokenCountOrLeftOut() {
        var e = loadFails(TestProfiles.TOY.replace("serving:\n", "serving:\n  max_model_len: 0\n"));
        assertEquals("serving.max_model_len", e.field());
        assertTrue(e.getMessage().endsWith("must be >= 1 (leave it out for no limit), was 0"), e.getMessage());
        assertEquals(0, CostModels.load(TestProfiles.write(dir, "none.yaml", TestProfiles.TOY)).maxModelLen());
        assertEquals(8192, CostModels.load("llama-3-8b/h100-80gb").maxModelLen(), "Llama 3's max_position_embeddings");
        assertEquals(8192, CostModels.load("llama-3-70b/a100-80gb-tp4").maxModelLen());
    }

    @Test
    void namesAMisspelledFieldAndListsTheAcceptedOnes() {
        var e = loadFails(TestProfiles.replace(TestProfiles.TOY, "  layers: 2\n", "  layer: 2\n"));
        assertEquals("model.layer", e.field());
        assertTrue(e.getMessage().contains("is not a known field; model accepts: name, layers, hidden_size"), e.getMessage());
    }

    @Test
    void listsTheAcceptedDtypes() {
        var e = loadFails(TestProfiles.replace(TestProfiles.TOY, "  weight_dtype: f32\n", "  weight_dtype: float32\n"));
        assertEquals("model.weight_dtype", e.field());
        assertTrue(e.getMessage().contains("must be one of f32, bf16, f16, fp8, int8, q8_0, q4_0, was 'float32'"), e.getMessage());
    }

    @Test
    void rejectsWeightsLargerThanTheDevices() {
        // given: Llama-3-70B (141 GB of bf16 weights) on one 80 GB H100, by overriding the bundled tp=4 profile
        var e = loadFails("""
                base: llama-3-70b/h100-80gb-tp4
                hardware:
                  devices: 1
                """);
        assertEquals("hardware.devices", e.field());
        assertTrue(e.getMessage().contains("weights take 141.11 GB") && e.getMessage().contains("tensor parallelism"), e.getMessage());
    }

    @Test
    void rejectsAParameterCountThatDisagreesWithTheShapes() {
        var e = loadFails(TestProfiles.replace(TestProfiles.TOY, "  tied_embeddings: false\n", "  tied_embeddings: false\n  parameters: 2000\n"));
        assertEquals("model.parameters", e.field());
        assertTrue(e.getMessage().contains("within 1% of 1704"), e.getMessage());
    }

    @Test
    void rejectsATensorParallelDegreeThatDoesNotSplitTheHeads() {
        var yaml = TestProfiles.replace(TestProfiles.TOY, "  devices: 1\n", "  devices: 3\n  interconnect_bytes_per_s: 1.0e9\n");
        yaml = TestProfiles.replace(yaml, "  step_overhead_us: 10\n", "  step_overhead_us: 10\n  allreduce_latency_us: 5\n");
        var e = loadFails(yaml);
        assertEquals("hardware.devices", e.field());
        assertTrue(e.getMessage().contains("must divide model.attention_heads (2)"), e.getMessage());
    }

    @Test
    void requiresAllReduceNumbersOnlyWithTensorParallelism() {
        var e = loadFails(TestProfiles.replace(TestProfiles.TOY, "  devices: 1\n", "  devices: 2\n"));
        assertEquals("hardware.interconnect_bytes_per_s", e.field());
    }

    @Test
    void pointsAtTheLineOfAYamlSyntaxError() {
        var e = loadFails(TestProfiles.replace(TestProfiles.TOY, "  head_dim: 4\n", "  head_dim: [4\n"));
        assertEquals("YAML", e.field());
        assertTrue(e.getMessage().contains("cannot be parsed at line"), e.getMessage());
    }

    @Test
    void requiresADerivation() {
        var e = loadFails(TestProfiles.TOY.replace("derivation: toy numbers for hand computation\n", ""));
        assertEquals("derivation", e.field());
    }

    @Test
    void listsTheBundledProfilesForAnUnknownName() {
        var e = assertThrows(CostProfileException.class, () -> CostModels.load("llama-3-8b/h200"));
        assertTrue(e.getMessage().contains("'llama-3-8b/h200' is neither a bundled profile (available: llama-3-8b/a100-80gb,"), e.getMessage());
        assertTrue(e.getMessage().contains("nor a readable file"), e.getMessage());
    }
}
