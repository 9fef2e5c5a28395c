package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.cli.Main;

/** `servelab serve` through the CLI: found by the runtime's ServiceLoader, its keys checked, its run folder written. */
class ServeCommandTest {

    private record Ran(int exit, String out) {}

    @Test
    void theServedUrlIsOneAClientCanType() {
        // it printed http://::1:8000/v1 and http://:8000/v1
        assertEquals("http://[::1]:8000/v1", servelab.serve.cli.ServeCommand.baseUrl("::1", 8000));
        assertEquals("http://127.0.0.1:8000/v1", servelab.serve.cli.ServeCommand.baseUrl("", 8000));
        assertEquals("http://localhost:8000/v1", servelab.serve.cli.ServeCommand.baseUrl("localhost", 8000));
    }

    private static Ran servelab(String... args) {
        var cli = Main.commandLine();
        var text = new StringWriter();
        cli.setOut(new PrintWriter(text, true));
        cli.setErr(new PrintWriter(text, true));
        return new Ran(cli.execute(args), text.toString());
    }

    @Test
    void serveIsACommandOfServelabAndServesForItsDuration(@TempDir Path dir) throws Exception {
        assertTrue(Main.commandLine().getSubcommands().containsKey("serve"));
        var plugins = TestPlugins.defaultPlugins(dir.resolve("plugins"));
        var ran = servelab("serve", "--set", "serve.port=0", "--duration", "0.5", "--out", dir.resolve("run").toString(),
                "--plugins-dir", plugins.toString());
        assertEquals(0, ran.exit(), ran.out());
        assertTrue(ran.out().contains("serving llama-3-8b/h100-80gb (emulated executor, 1 replica) on http://127.0.0.1:"),
                ran.out());
        for (var file : new String[] {"run.json", "summary.json", "requests.arrow", "trace.jsonl"}) {
            assertTrue(Files.exists(dir.resolve("run").resolve(file)), file);
        }
        assertTrue(Files.readString(dir.resolve("run/run.json")).contains("\"backend\" : \"emulated\""));
    }

    @Test
    void aPortInUseIsNamedAndNoRunFolderIsLeft(@TempDir Path dir) throws Exception {
        try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            var r = servelab("serve", "--set", "serve.port=" + port, "--plugins-dir", dir.toString(), "--out",
                    dir.resolve("run").toString(), "--duration", "1");
            assertEquals(1, r.exit(), r.out());
            assertTrue(r.out().contains("cannot listen on 127.0.0.1:" + port), r.out());
            assertTrue(!Files.exists(dir.resolve("run")), "no folder for a server that never started");
        }
    }

    @Test
    void badServeKeysAreNamed(@TempDir Path dir) {
        var open = servelab("serve", "--set", "serve.host=0.0.0.0", "--plugins-dir", dir.toString());
        assertEquals(1, open.exit());
        assertTrue(open.out().contains("serve.host 0.0.0.0 is not a loopback address: binding there needs serve.api_key"),
                open.out());
        var unknown = servelab("serve", "--set", "serve.prot=1", "--plugins-dir", dir.toString());
        assertEquals(1, unknown.exit());
        assertTrue(unknown.out().contains("unknown key 'serve.prot'; accepted there: api_key, host, max_body_bytes"),
                unknown.out());
        // in the experiment's words, not Jackson's ("Cannot deserialize value of type `java.lang.Integer`...")
        var typed = servelab("serve", "--set", "serve.port=abc", "--plugins-dir", dir.toString());
        assertEquals(1, typed.exit());
        assertTrue(typed.out().contains("serve.port must be a whole number, was 'abc'"), typed.out());
        var quoted = servelab("serve", "--set", "serve.port='8080'", "--plugins-dir", dir.toString());
        assertTrue(quoted.out().contains("serve.port must be a whole number, was '8080'"), quoted.out());
    }
}
