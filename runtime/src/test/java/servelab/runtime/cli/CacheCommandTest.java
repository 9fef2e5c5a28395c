package servelab.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.host.TestBundles;

/** {@code servelab cache replay} on traces with and without prefix information. */
class CacheCommandTest {
    @TempDir Path work;

    private record Outcome(int code, String out, String err) {}

    private Outcome replay(Path trace, String... more) throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        var args = new java.util.ArrayList<>(java.util.List.of("cache", "replay", trace.toString(), "--plugins-dir",
                plugins.toString()));
        args.addAll(java.util.List.of(more));
        int code = cli.execute(args.toArray(String[]::new));
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void anUnknownPluginIsSaidBeforeAnyTableIsPrinted() throws Exception {
        var mooncake = Files.writeString(work.resolve("m.jsonl"),
                "{\"timestamp\": 0, \"input_length\": 600, \"output_length\": 5, \"hash_ids\": [0, 1]}\n");
        var r = replay(mooncake, "--eviction", "nope");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("nope"), r.err());
        assertEquals("", r.out()); // it printed the table's header, then the error
    }

    @Test
    void aTraceWithoutPrefixInformationIsWarnedAbout() throws Exception {
        var azure = Files.writeString(work.resolve("azure.csv"), "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                + "2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:50.9951690,396,109\n");
        var r = replay(azure);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("servelab cache replay: warning: azure.csv has no prefix information"), r.err());
    }

    @Test
    void aMooncakeTraceIsNotWarnedAbout() throws Exception {
        var mooncake = Files.writeString(work.resolve("m.jsonl"),
                "{\"timestamp\": 0, \"input_length\": 600, \"output_length\": 5, \"hash_ids\": [0, 1]}\n"
                        + "{\"timestamp\": 9, \"input_length\": 600, \"output_length\": 5, \"hash_ids\": [0, 2]}\n");
        var r = replay(mooncake);
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().contains("25.00%"), r.out()); // the second request finds block 0: 1 hit of 4
    }

    @Test
    void requestsWithoutHashIdsAmongOthersAreNoted() throws Exception {
        var mooncake = Files.writeString(work.resolve("m.jsonl"),
                "{\"timestamp\": 0, \"input_length\": 600, \"output_length\": 5, \"hash_ids\": [0, 1]}\n"
                        + "{\"timestamp\": 5, \"input_length\": 600, \"output_length\": 5, \"hash_ids\": []}\n"
                        + "{\"timestamp\": 9, \"input_length\": 600, \"output_length\": 5, \"hash_ids\": [0, 2]}\n");
        var r = replay(mooncake);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("note: 1 of 3 requests have no hash_ids; their prompt blocks count as misses"), r.err());
    }
}
