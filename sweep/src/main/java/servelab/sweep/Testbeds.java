package servelab.sweep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import servelab.runtime.host.HostListener;
import servelab.runtime.host.Testbed;

/**
 * The testbeds a member's point threads run in: started on first need, one per thread that needs one at once, and
 * kept from point to point. Starting the plugin framework and deploying every bundle for each point cost more than
 * the distribution layer itself (about a tenth of a 200-point sweep of 0.3 s points); a run ends with its slots and
 * faults forgotten ({@code PluginRegistry.endRun}), so the next point starts as in a fresh testbed. Stopped when the
 * member shuts down.
 */
final class Testbeds implements AutoCloseable {
    private final Path pluginsDir;
    private final List<Testbed> idle = new ArrayList<>();
    private final List<Testbed> all = new ArrayList<>();
    private boolean closed;

    Testbeds(Path pluginsDir) {
        this.pluginsDir = pluginsDir;
    }

    /** An idle testbed, or a new one. */
    Testbed take() {
        synchronized (this) {
            if (closed) throw new IllegalStateException("the member is shutting down");
            if (!idle.isEmpty()) return idle.removeLast();
        }
        // a broken jar is the point's business: it sees it as a plugin that is not installed, named in its error
        var testbed = Testbed.start(pluginsDir, (HostListener) (type, kind, from, to, detail) -> {});
        synchronized (this) {
            if (closed) {
                testbed.close();
                throw new IllegalStateException("the member is shutting down");
            }
            all.add(testbed);
            return testbed;
        }
    }

    /** Gives {@code testbed} back for the next point; {@code healthy} false stops it instead (a run that threw an Error). */
    void give(Testbed testbed, boolean healthy) {
        synchronized (this) {
            if (healthy && !closed) {
                idle.add(testbed);
                return;
            }
            all.remove(testbed);
        }
        testbed.close();
    }

    @Override
    public void close() {
        List<Testbed> running;
        synchronized (this) {
            closed = true;
            running = List.copyOf(all);
            all.clear();
            idle.clear();
        }
        running.forEach(Testbed::close);
    }
}
