package servelab.runtime.host;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Watches the plugins directory while a run goes on. A jar that appears or changes is deployed once its size and
 * modification time have been stable for {@link #SETTLE_NANOS} (a copy in progress is not picked up half-written;
 * a truncated jar is rejected by the deployer and retried when it changes again); a deleted jar is uninstalled
 * {@link #REMOVAL_NANOS} later, once the jars that appeared meanwhile are deployed (a rename, {@code mv a.jar b.jar},
 * then keeps its bundle: the new name is a copy of a deployed jar when the old one goes; and a jar deleted and copied
 * back with the same bytes is no change), so the plugin is never swapped for itself.
 * The directory is also rescanned every two seconds in case a file system drops change events.
 */
public final class PluginDirWatcher implements AutoCloseable {
    static final long SETTLE_NANOS = 50_000_000L;
    /** How long a deleted jar's bundle stays, in case the jar comes back (rm, then cp) or was renamed. */
    static final long REMOVAL_NANOS = 1_000_000_000L;
    private static final long RESCAN_NANOS = 2_000_000_000L;

    private record Seen(long size, long modified, long sinceNanos) {}

    private final Path dir;
    private final BundleDeployer deployer;
    private final WatchService watch;
    private final Thread thread;
    private final Map<Path, Seen> pending = new HashMap<>();
    private final Map<Path, Long> lastModified = new HashMap<>();
    private final Map<Path, Long> removals = new HashMap<>();
    private volatile boolean running = true;

    public PluginDirWatcher(Path dir, BundleDeployer deployer) {
        this.dir = dir.toAbsolutePath().normalize();
        this.deployer = deployer;
        try {
            this.watch = dir.getFileSystem().newWatchService();
            this.dir.register(watch, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch plugins directory " + dir, e);
        }
        rescan(); // remember what is there now, so only later changes count
        pending.clear();
        this.thread = Thread.ofPlatform().daemon().name("servelab-plugin-watcher").unstarted(this::loop);
    }

    public PluginDirWatcher start() {
        thread.start();
        return this;
    }

    private void loop() {
        long lastRescan = System.nanoTime();
        while (running) {
            try {
                var key = watch.poll(10, TimeUnit.MILLISECONDS);
                if (key != null) {
                    for (var event : key.pollEvents()) {
                        if (event.context() instanceof Path name && name.toString().endsWith(".jar")) {
                            touch(dir.resolve(name));
                        }
                    }
                    key.reset();
                }
                if (System.nanoTime() - lastRescan > RESCAN_NANOS) {
                    rescan();
                    lastRescan = System.nanoTime();
                }
                settle();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
                // a watcher that dies silently would make hot swap stop working: report and keep going
                HostListener.STDERR.report("fault", "", "", "", "plugin watcher: " + e);
            }
        }
    }

    private void touch(Path jar) {
        if (!Files.exists(jar)) {
            pending.remove(jar);
            lastModified.remove(jar);
            removals.putIfAbsent(jar, System.nanoTime());
            return;
        }
        removals.remove(jar); // back (rm, then a copy under the same name): a change, not a removal
        try {
            pending.put(jar, new Seen(Files.size(jar), Files.getLastModifiedTime(jar).toMillis(), System.nanoTime()));
        } catch (IOException e) {
            pending.remove(jar); // vanished between the event and now
        }
    }

    private void settle() {
        var it = pending.entrySet().iterator();
        while (it.hasNext()) {
            var entry = it.next();
            var jar = entry.getKey();
            var seen = entry.getValue();
            try {
                long size = Files.size(jar), modified = Files.getLastModifiedTime(jar).toMillis();
                if (size != seen.size || modified != seen.modified) {
                    entry.setValue(new Seen(size, modified, System.nanoTime()));
                } else if (System.nanoTime() - seen.sinceNanos >= SETTLE_NANOS) {
                    it.remove();
                    lastModified.put(jar, modified);
                    deployer.deploy(jar);
                }
            } catch (IOException e) {
                it.remove();
            }
        }
        var gone = removals.entrySet().iterator();
        while (gone.hasNext()) { // after a second (an rm and a cp of the same bytes is no change), and what came meanwhile
            var entry = gone.next();
            long age = System.nanoTime() - entry.getValue();
            if (age < REMOVAL_NANOS || (!pending.isEmpty() && age < 5 * REMOVAL_NANOS)) continue;
            gone.remove();
            if (!Files.exists(entry.getKey())) deployer.remove(entry.getKey());
        }
    }

    private void rescan() {
        try (var files = Files.list(dir)) {
            for (var jar : files.filter(BundleDeployer::isJar).toList()) {
                long modified = Files.getLastModifiedTime(jar).toMillis();
                Long before = lastModified.put(jar, modified);
                if ((before == null || before != modified) && !pending.containsKey(jar)) touch(jar);
            }
        } catch (IOException e) {
            // the directory may be briefly unavailable; the next rescan tries again
        }
        for (var jar : java.util.List.copyOf(lastModified.keySet())) {
            if (!Files.exists(jar)) touch(jar);
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2_000);
            watch.close();
        } catch (IOException | InterruptedException ignored) {
            // closing
        }
    }
}
