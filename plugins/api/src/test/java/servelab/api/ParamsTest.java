package servelab.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ParamsTest {
    private static final List<ParamSpec> SPECS = List.of(
            ParamSpec.ofInt("max_num_seqs", 256, 1, 4096, "most sequences per step"),
            ParamSpec.ofDouble("watermark", 0.01, 0.0, 0.5, "fraction kept free"),
            ParamSpec.ofBoolean("chunked", true, "split prompts"),
            ParamSpec.ofChoice("mode", "recompute", List.of("recompute", "swap"), "preemption"));

    private static String error(Map<String, ?> raw) {
        return assertThrows(PluginParameterException.class, () -> Params.validate("batcher 'b'", SPECS, raw)).getMessage();
    }

    @Test
    void fillsDefaultsAndConvertsStringsFromTheCommandLine() {
        var p = Params.validate("batcher 'b'", SPECS, Map.of("max_num_seqs", "64", "chunked", "false", "watermark", 0));
        assertEquals(64, p.getInt("max_num_seqs"));
        assertEquals(false, p.getBoolean("chunked"));
        assertEquals(0.0, p.getDouble("watermark"));
        assertEquals("recompute", p.getString("mode"));
        assertEquals(List.of("max_num_seqs", "watermark", "chunked", "mode"), List.copyOf(p.asMap().keySet()));
    }

    @Test
    void anUnknownParameterIsNamedWithTheAcceptedOnes() {
        assertEquals("unknown parameter 'max_seqs' for batcher 'b'; accepted: max_num_seqs (int), watermark (double), "
                + "chunked (boolean), mode (string)", error(Map.of("max_seqs", 3)));
    }

    @Test
    void anIllTypedValueIsNamed() {
        assertEquals("parameter 'max_num_seqs' must be an int, was 'many' (batcher 'b'; accepted: max_num_seqs (int), "
                + "watermark (double), chunked (boolean), mode (string))", error(Map.of("max_num_seqs", "many")));
        assertEquals("parameter 'max_num_seqs' must be an int, was '2.5'", error(Map.of("max_num_seqs", 2.5)).split(" \\(")[0]);
        assertEquals("parameter 'chunked' must be a boolean, was 'maybe'", error(Map.of("chunked", "maybe")).split(" \\(")[0]);
    }

    @Test
    void outOfRangeAndUnknownChoicesAreNamed() {
        assertEquals("parameter 'max_num_seqs' must be in [1, 4096], was 0", error(Map.of("max_num_seqs", 0)).split(" \\(")[0]);
        assertEquals("parameter 'watermark' must be in [0.0, 0.5], was 0.9", error(Map.of("watermark", 0.9)).split(" \\(")[0]);
        assertEquals("parameter 'mode' must be one of [recompute, swap], was 'drop'", error(Map.of("mode", "drop")).split(" \\(")[0]);
        // NaN passed every range check (all its comparisons are false): watermark=NaN ran as given
        assertEquals("parameter 'watermark' must be a number, was NaN", error(Map.of("watermark", "NaN")).split(" \\(")[0]);
        assertEquals("parameter 'watermark' must be a number, was NaN", error(Map.of("watermark", Double.NaN)).split(" \\(")[0]);
    }

    @Test
    void descriptorsRejectBadNamesVersionsAndDuplicateParameters() {
        assertThrows(IllegalArgumentException.class,
                () -> new PluginDescriptor(PluginKind.SCHEDULER, "My Scheduler", "1.0.0", "x", List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new PluginDescriptor(PluginKind.SCHEDULER, "fcfs", "v1", "x", List.of()));
        var dup = List.of(ParamSpec.ofBoolean("a", true, "x"), ParamSpec.ofBoolean("a", false, "y"));
        assertEquals("PluginDescriptor fcfs declares parameter 'a' twice", assertThrows(IllegalArgumentException.class,
                () -> new PluginDescriptor(PluginKind.SCHEDULER, "fcfs", "1.0.0", "x", dup)).getMessage());
    }

    @Test
    void aDefaultTheParameterWouldRefuseIsRefusedWithIt() {
        // the plugin got spread 0 (range [1, 10]) and measure 'bogus', while --set spread=0 was refused
        assertEquals("ParamSpec spread: default 0 is outside its own range [1.0, 10.0]", assertThrows(
                IllegalArgumentException.class, () -> ParamSpec.ofInt("spread", 0, 1, 10, "x")).getMessage());
        assertEquals("ParamSpec measure: default 'bogus' is not one of its choices [tokens, requests]", assertThrows(
                IllegalArgumentException.class, () -> ParamSpec.ofChoice("measure", "bogus", List.of("tokens", "requests"),
                        "x")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ParamSpec.ofDouble("rate", Double.NaN, 0, 1, "x"));
        assertEquals(10, ParamSpec.ofInt("spread", 10, 1, 10, "x").defaultValue());
    }

    @Test
    void describeIsWhatServelabPluginsPrints() {
        assertEquals("max_num_seqs (int, default 256, [1, 4096]): most sequences per step", SPECS.get(0).describe());
        assertEquals("mode (string, default recompute, one of [recompute, swap]): preemption", SPECS.get(3).describe());
    }
}
