package servelab.runtime.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import servelab.runtime.record.RunRecorder;

/** {@code servelab recover}: turns what a killed run left into a run folder that loads. */
@Command(name = "recover", mixinStandardHelpOptions = true,
        description = {"Recover a run that was killed: convert the .arrows streams it left into requests.arrow,",
                "iterations.arrow, events.arrow and cluster.arrow, keeping every complete batch (every table's",
                "rows are written at least every second), and remove its stale control.port. A run that is",
                "still going is left alone.",
                "Example: servelab recover runs/run-20260101-120000"})
final class RecoverCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_DIR", description = "the killed run's folder")
    Path runDir;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!Files.exists(runDir)) throw new IllegalArgumentException(runDir + " does not exist");
        if (!Files.isDirectory(runDir)) throw new IllegalArgumentException(runDir + " is not a folder");
        var port = runDir.resolve("control.port");
        if (Files.exists(port) && isListening(port)) {
            throw new IllegalArgumentException("the run in " + runDir + " is still going (its control port answers); "
                    + "stop it first, or wait for it to end");
        }
        var out = spec.commandLine().getOut();
        var recovered = RunRecorder.recover(runDir);
        for (var r : recovered) {
            out.printf("%s: %,d rows in %,d batches%s%n", r.table().fileName(), r.rows(), r.batches(),
                    r.truncatedTail() ? " (a batch cut short by the kill is lost)" : "");
        }
        if (!recovered.isEmpty()) markRecovered(recovered);
        if (Files.deleteIfExists(port)) out.println("removed the stale control.port");
        if (recovered.isEmpty()) {
            // a folder with neither a stream nor a run's files is not a run: saying its tables were closed misled
            if (!Files.exists(runDir.resolve("run.json")) && !Files.exists(runDir.resolve("requests.arrow"))) {
                throw new IllegalArgumentException(runDir + " is not a ServeLab run folder (no run.json, no "
                        + "requests.arrow, no .arrows streams): nothing to recover");
            }
            out.println("nothing to recover in " + runDir + ": its tables were closed (servelab report reads it)");
        }
        out.flush();
        return 0;
    }

    /**
     * Says in run.json that the run was put together after a kill (it otherwise looks like a whole run): the rows
     * each table kept, when, and what is missing. Reports repeat it ({@code RunResults#RECOVERED_NOTE}).
     */
    private void markRecovered(java.util.List<servelab.runtime.record.Recovery> recovered) throws IOException {
        var file = runDir.resolve("run.json");
        var info = new java.util.LinkedHashMap<String, Object>();
        if (Files.exists(file)) {
            info.putAll(servelab.runtime.record.Json.MAPPER.readValue(file.toFile(),
                    new com.fasterxml.jackson.core.type.TypeReference<java.util.LinkedHashMap<String, Object>>() { }));
        }
        // plugin_history and faulted_plugins go into run.json when a run ends: a killed run's are in events.arrow
        var events = runDir.resolve(servelab.runtime.record.ResultTable.EVENTS.fileName());
        if (!info.containsKey("plugin_history") && Files.exists(events)) {
            var table = servelab.runtime.report.RunResults.readTable(servelab.runtime.record.ResultTable.EVENTS, events);
            var history = servelab.runtime.experiment.PluginHistory.fromEvents(table);
            info.put("plugin_history", history.entries());
            info.put("faulted_plugins", history.faulted());
        }
        var rows = new java.util.LinkedHashMap<String, Object>();
        for (var r : recovered) rows.put(r.table().tableName(), r.rows());
        info.put("recovered", servelab.runtime.record.Json.ordered("at", java.time.Instant.now().truncatedTo(
                java.time.temporal.ChronoUnit.SECONDS).toString(), "rows", rows, "note", "the run was killed: requests "
                + "in flight then have no row, and up to the last second of each table may be missing; no summary.json"));
        servelab.runtime.record.Json.write(file, info);
        spec.commandLine().getOut().println("marked run.json as recovered");
    }

    /** Whether a process still listens on the port the file names (a killed run's port is closed). */
    private static boolean isListening(Path portFile) {
        try (var socket = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(Files.readString(portFile).strip()))) {
            return true;
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }
}
