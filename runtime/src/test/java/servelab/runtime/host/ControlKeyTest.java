package servelab.runtime.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;

/**
 * A run's control port answers its owner alone: the run writes a key only its owner can read (control.key), and
 * servelab ctl --run sends it. Any local user could switch a run's plugins before.
 */
class ControlKeyTest {
    @TempDir Path work;

    @Test
    void aRunsControlPortWantsTheKeyItsFolderHoldsForItsOwner() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var runDir = work.resolve("run");
        var seen = new ArrayList<String>();
        var experiment = ExperimentFile.load(null, List.of("trace.synthetic.count=200", "trace.synthetic.arrivals.rate=20"));
        ExperimentRunner.run(experiment, runDir, new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null,
                (replica, end) -> {
                    if (!seen.isEmpty() || replica.completed() < 50) return;
                    try {
                        var key = runDir.resolve(ControlFiles.KEY);
                        seen.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
                        seen.add(withoutKey(runDir, "slots"));
                        seen.add(String.valueOf(servelab.runtime.cli.Main.commandLine().execute("ctl", "--run",
                                runDir.toString(), "slots")));
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
        assertEquals("rw-------", seen.get(0), "readable by the run's owner alone");
        assertTrue(seen.get(1).startsWith("error: unauthorized"), seen.get(1)); // it was answered
        assertEquals("0", seen.get(2), "servelab ctl --run sends the folder's key");
        assertTrue(Files.notExists(runDir.resolve(ControlFiles.KEY)), "removed with control.port when the run ends");
    }

    private static String withoutKey(Path runDir, String command) throws Exception {
        int port = Integer.parseInt(Files.readString(runDir.resolve(ControlFiles.PORT)).strip());
        try (var socket = new Socket(InetAddress.getLoopbackAddress(), port);
             var out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
             var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
            out.println(command);
            return String.join("\n", in.lines().toList());
        }
    }
}
