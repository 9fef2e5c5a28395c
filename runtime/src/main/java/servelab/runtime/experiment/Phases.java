package servelab.runtime.experiment;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a run's wall time went, in nanoseconds, as run.json's {@code result.phases_s} reports it (seconds):
 * {@code jvm_uptime} (the JVM's age when the run began: in a fresh {@code servelab run} its start, class loading and
 * the command line; in a long-lived JVM it says nothing), {@code setup} (executors, the plugin framework, replicas),
 * {@code replay} (the simulation or the real run), {@code convert} (the recorder's streams into {@code .arrow} files)
 * and {@code summarize} (summary.json's passes over the files). All but {@code jvm_uptime} add up to
 * {@code result.wall_s}, the time the console prints.
 */
record Phases(long jvmUptime, long setup, long replay, long convert, long summarize) {
    Phases(long jvmUptime, long setup, long replay) {
        this(jvmUptime, setup, replay, 0, 0);
    }

    Phases converted(long nanos) {
        return new Phases(jvmUptime, setup, replay, nanos, summarize);
    }

    Phases summarized(long nanos) {
        return new Phases(jvmUptime, setup, replay, convert, nanos);
    }

    Map<String, Object> toJson() {
        var json = new LinkedHashMap<String, Object>();
        json.put("jvm_uptime", jvmUptime / 1e9);
        json.put("setup", setup / 1e9);
        json.put("replay", replay / 1e9);
        json.put("convert", convert / 1e9);
        json.put("summarize", summarize / 1e9);
        return json;
    }
}
