package servelab.runtime.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import com.fasterxml.jackson.core.type.TypeReference;

import servelab.runtime.experiment.PluginHistory;
import servelab.runtime.record.Json;
import servelab.runtime.record.Recovery;
import servelab.runtime.record.ResultTable;
import servelab.runtime.record.RunRecorder;
import servelab.runtime.report.RunResults;

/** {@code servelab recover}: turns what a killed run left into a run folder that loads. */
@Command(name = "recover", mixinStandardHelpOptions = true,
        description = {"Recover a run that was killed: convert the .arrows streams it left into requests.arrow,",
                "iterations.arrow, events.arrow and cluster.arrow, keeping every complete batch (every table's",
                "rows are written at least every second), and remove its stale control.port and control.key.",
                "A run that is still going is left alone.",
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
        var runJson = runDir.resolve("run.json");
        boolean killedInSetup = !recovered.isEmpty() && Files.notExists(runJson)
                && recovered.stream().allMatch(r -> r.rows() == 0);
        for (var r : killedInSetup ? List.<Recovery>of() : recovered) { // no "0 rows" lines for tables then removed
            out.printf("%s: %,d rows in %,d batches%s%n", r.table().fileName(), r.rows(), r.batches(),
                    r.truncatedTail() ? " (a batch cut short by the kill is lost)" : "");
        }
        if (killedInSetup) {
            // killed in its setup: a run.json made of nothing would pass for a finished run of 0 requests
            for (var r : recovered) Files.deleteIfExists(runDir.resolve(r.table().fileName()));
            Files.deleteIfExists(port);
            out.println("the run was killed before its replay began (no run.json, no rows): removed its empty "
                    + "tables; the folder can hold a new run");
            out.flush();
            return 0;
        }
        var info = readRunJson();
        // killed after its replay, while closing its files: every row was written, if every table kept them all
        boolean replayed = info.containsKey("result") && recovered.stream().noneMatch(Recovery::truncatedTail)
                && everyRequestHasItsRow(info);
        boolean summarize = replayed && Files.notExists(runDir.resolve("summary.json"))
                && Files.exists(runDir.resolve("requests.arrow"));
        if (!recovered.isEmpty() || summarize) { // killed while writing its summary: closed tables, yet recovered too
            markRecovered(info, replayed);
            trimOutputs(out);
        }
        if (summarize) {
            var result = (Map<?, ?>) info.get("result");
            double replicaSeconds = result.get("replica_seconds") instanceof Number n ? n.doubleValue() : Double.NaN;
            List<Double> byReplica = null; // run.json's result has them since they were recorded there too
            if (result.get("replica_seconds_by_replica") instanceof List<?> list) {
                byReplica = list.stream().map(v -> v instanceof Number n ? n.doubleValue() : Double.NaN).toList();
            }
            servelab.runtime.experiment.ExperimentRunner.writeSummary(runDir, servelab.runtime.report.Summary.compute(
                    runDir, servelab.runtime.report.RunInfo.slo(info)), replicaSeconds, byReplica);
            out.println("wrote summary.json: the replay had ended, so every request has its row");
        }
        if (Files.deleteIfExists(port)) out.println("removed the stale control.port");
        Files.deleteIfExists(runDir.resolve(servelab.runtime.host.ControlFiles.KEY)); // its key goes with it
        var servePort = runDir.resolve("serve.port");
        if (Files.exists(servePort) && !isListening(servePort) && Files.deleteIfExists(servePort)) {
            out.println("removed the stale serve.port");
        }
        if (recovered.isEmpty() && !summarize) {
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
     * outputs.jsonl is written a line at a time, the tables a batch at a time: after a kill it holds requests the
     * recovered requests.arrow has no row for. Those lines go, so the two agree.
     */
    private void trimOutputs(java.io.PrintWriter out) throws IOException {
        var outputs = runDir.resolve("outputs.jsonl");
        var requests = runDir.resolve(ResultTable.REQUESTS.fileName());
        if (!Files.exists(outputs) || !Files.exists(requests)) return;
        var table = RunResults.readTable(ResultTable.REQUESTS, requests);
        var completed = new java.util.HashSet<Long>();
        long[] ids = table.longs("request_id");
        var errors = table.strings("error");
        for (int i = 0; i < ids.length; i++) if (errors.get(i).isEmpty()) completed.add(ids[i]);
        var tmp = runDir.resolve("outputs.jsonl.tmp");
        int dropped = 0;
        try (var in = Files.newBufferedReader(outputs); var kept = Files.newBufferedWriter(tmp)) { // line by line
            for (String line; (line = in.readLine()) != null; ) {
                long id;
                try {
                    id = Json.MAPPER.readTree(line).path("request_id").asLong(-1);
                } catch (com.fasterxml.jackson.core.JacksonException cut) { // a line the kill cut short
                    dropped++;
                    continue;
                }
                if (!completed.contains(id)) {
                    dropped++;
                    continue;
                }
                kept.write(line);
                kept.newLine();
            }
        }
        if (dropped == 0) {
            Files.delete(tmp);
            return;
        }
        Files.move(tmp, outputs, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        out.println("outputs.jsonl: removed " + dropped + " lines of requests requests.arrow has no completed row for");
    }

    /** Whether requests.arrow holds as many rows as run.json's result says the replay had requests (when it says). */
    private boolean everyRequestHasItsRow(Map<String, Object> info) throws IOException {
        var requests = runDir.resolve(ResultTable.REQUESTS.fileName());
        if (!(info.get("result") instanceof Map<?, ?> result) || !(result.get("requests") instanceof Number n)) return true;
        return Files.exists(requests) && RunRecorder.rowsIn(requests) == n.longValue();
    }

    private Map<String, Object> readRunJson() throws IOException {
        var file = runDir.resolve("run.json");
        var info = new LinkedHashMap<String, Object>();
        if (Files.exists(file)) {
            info.putAll(Json.MAPPER.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() { }));
        }
        return info;
    }

    /**
     * Says in run.json that the run was put together after a kill (it otherwise looks like a whole run): the rows
     * each table holds, when, and what is missing. Reports repeat it ({@code RunResults#RECOVERED_NOTE}).
     *
     * @param replayed whether the kill came after the replay (run.json has its {@code result}): then no row is missing
     */
    private void markRecovered(Map<String, Object> info, boolean replayed) throws IOException {
        // plugin_history and faulted_plugins go into run.json when a run ends: a killed run's are in events.arrow
        var events = runDir.resolve(ResultTable.EVENTS.fileName());
        if (!info.containsKey("plugin_history") && Files.exists(events)) {
            var history = PluginHistory.fromEvents(RunResults.readTable(ResultTable.EVENTS, events));
            info.put("plugin_history", history.entries());
            info.put("faulted_plugins", history.faulted());
        }
        var rows = new LinkedHashMap<String, Object>(); // every table's, those closed before the kill too
        for (var t : ResultTable.values()) {
            var file = runDir.resolve(t.fileName());
            if (Files.exists(file)) rows.put(t.tableName(), RunRecorder.rowsIn(file));
        }
        String note = info.containsKey("aborted")
                ? "the run stopped early (run.json's aborted says why) and left tables as streams, rebuilt here: up to "
                        + "the last second of each may be missing; no summary.json"
                : replayed ? "the run was killed after its replay, while closing its files: every request has its row"
                        + " (result's wall_s and phases_s end with the replay: the conversion and summary are not in them)"
                : "the run was killed: requests in flight then have no row, and up to the last second of each table "
                        + "may be missing; no summary.json";
        info.put("recovered", Json.ordered("at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), "rows", rows,
                "note", note));
        Json.write(runDir.resolve("run.json"), info);
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
