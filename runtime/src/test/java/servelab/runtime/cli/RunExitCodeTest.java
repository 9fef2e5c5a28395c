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

/** A run whose requests failed writes every result, and says so with its exit code. */
class RunExitCodeTest {
    @TempDir Path work;

    private record Outcome(int code, String out, String err) {}

    private static Outcome execute(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return new Outcome(cli.execute(args), out.toString(), err.toString());
    }

    @Test
    void aRunWithFailedRequestsExitsNonZeroUnlessFailuresAreAllowed() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins")).toString();
        // given: 3 KV blocks of 16 tokens, too few for any of the demo's prompts
        var r = execute("run", "--quiet", "--plugins-dir", plugins, "--out", work.resolve("a").toString(),
                "--set", "kv.blocks=3", "--set", "trace.synthetic.count=4");
        assertEquals(RunCommand.FAILED_REQUESTS, r.code(), r.err());
        assertTrue(r.err().contains("servelab run: 4 of 4 requests failed"), r.err());
        assertTrue(Files.exists(work.resolve("a/requests.arrow")), "the results are written all the same");
        r = execute("run", "--quiet", "--allow-failures", "--plugins-dir", plugins, "--out", work.resolve("b").toString(),
                "--set", "kv.blocks=3", "--set", "trace.synthetic.count=4");
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void anOverloadedRunIsWarnedOfAndAStableOneIsNot() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins")).toString();
        // one replica (about 14 requests/s with the default lengths) offered 40/s, then 3/s
        var over = execute("run", "--quiet", "--plugins-dir", plugins, "--out", work.resolve("over").toString(),
                "--set", "trace.synthetic.count=600", "--set", "trace.synthetic.arrivals.rate=40");
        assertEquals(0, over.code(), over.err());
        assertTrue(over.err().contains("servelab run: warning: the run was overloaded: requests arrived at "), over.err());
        var stable = execute("run", "--quiet", "--plugins-dir", plugins, "--out", work.resolve("stable").toString(),
                "--set", "trace.synthetic.count=200", "--set", "trace.synthetic.arrivals.rate=3");
        assertEquals(0, stable.code(), stable.err());
        assertTrue(!stable.err().contains("overloaded"), stable.err());
    }

    @Test
    void aMistypedCtlCommandExits2BeforeAnythingIsSent() {
        // port 1: nothing listens there, so a command that was sent would fail with 1 ("no testbed is listening")
        var cases = java.util.Map.of("bogus", "unknown command 'bogus'; commands: plugins, slots, switch",
                "switch scheduler", "usage: switch KIND NAME [key=value]...",
                "switch scheduler sjf key=a key=b", "parameter 'key' is given twice",
                "switch scheduler sjf key", "parameter 'key' is not key=value");
        for (var c : cases.entrySet()) {
            var args = new java.util.ArrayList<>(java.util.List.of("ctl", "--port", "1"));
            args.addAll(java.util.List.of(c.getKey().split(" ")));
            var r = execute(args.toArray(String[]::new));
            assertEquals(2, r.code(), c.getKey() + ": " + r.err());
            assertTrue(r.err().contains(c.getValue()), r.err());
        }
        assertEquals(1, execute("ctl", "--port", "1", "slots").code(), "a good command is sent (and finds no one)");
    }

    @Test
    void aModelWithAnotherExecutorIsAUsageErrorNotASilentSimulation() {
        var r = execute("run", "--quiet", "--model", "m.gguf", "--executor", "simulated");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--model runs a GGUF on the model executor; with --executor simulated it would not "
                + "be used"), r.err());
    }
}
