package servelab.runtime.experiment;

import java.util.concurrent.ConcurrentLinkedQueue;

import servelab.runtime.engine.ResultSink;
import servelab.runtime.host.HostListener;
import servelab.runtime.record.EventRow;

/**
 * Carries the host's reports (deployments, failed jars) from its threads to the engine's thread, where they become
 * event rows stamped with the run clock, and echoes them to the terminal.
 */
public final class HostEvents implements HostListener {
    private record Report(String type, String kind, String from, String to, String detail) {}

    private final ConcurrentLinkedQueue<Report> queue = new ConcurrentLinkedQueue<>();
    private final HostListener echo;
    private final java.util.Set<String> echoedFaults = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean started;

    public HostEvents(HostListener echo) {
        this.echo = echo;
    }

    @Override
    public void report(String type, String kind, String from, String to, String detail) {
        // the initial deployment is listed in run.json; on the terminal only its failures matter
        if (started || !type.equals("deploy")) echo.report(type, kind, from, to, detail);
        if (type.equals("fault") && !kind.isEmpty()) echoedFaults.add(detail); // PluginHistory would say it again
        queue.add(new Report(type, kind, from, to, detail));
    }

    /** Writes what arrived since the last call as events at {@code nowNanos}; called on the engine's thread. */
    public void drainTo(ResultSink sink, long nowNanos) {
        for (Report r; (r = queue.poll()) != null; ) {
            String type = r.type.equals("fault") ? "fault" : "info";
            // the host's own news (a jar deployed or refused) belongs to no replica and no step: null in events.arrow
            // (it carried whichever replica's step drained it)
            sink.event(new EventRow(nowNanos, -1, -1, type, r.kind, r.from, r.to, r.detail));
        }
    }

    /**
     * The console for {@link PluginHistory}: the terminal, less the plugin faults this host echoed as they happened (a
     * jar whose plugin could not be made), which the history would say a second time when their rows pass.
     */
    public HostListener notEchoed() {
        return (type, kind, from, to, detail) -> {
            if (type.equals("fault") && echoedFaults.removeIf(detail::startsWith)) return;
            echo.report(type, kind, from, to, detail);
        };
    }

    /** Forgets reports made before the run started (the initial deployment is in run.json). */
    public void clear() {
        started = true;
        queue.clear();
    }
}
