package servelab.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

/**
 * Trace files shared through the cluster by content hash, so no member needs the coordinator's file system: the
 * coordinator publishes the bytes under their SHA-256, and each member keeps one local copy per hash.
 */
final class TraceShare {
    /** Cluster-wide map of trace bytes by SHA-256 (a hash names its content, so sweeps may share entries). */
    static final String MAP = "servelab.traces";

    private TraceShare() {}

    static void publish(HazelcastInstance hz, SweepPlan.TraceFile trace) throws IOException {
        IMap<String, byte[]> traces = hz.getMap(MAP);
        if (!traces.containsKey(trace.sha256())) traces.set(trace.sha256(), Files.readAllBytes(trace.path()));
    }

    /** The member's copy of the trace (fetched once, checked against its hash), under its original file name. */
    static Path localCopy(HazelcastInstance hz, String sha256, String fileName, Path workDir) throws IOException {
        var file = workDir.resolve("traces").resolve(sha256).resolve(fileName);
        if (Files.isRegularFile(file)) return file;
        IMap<String, byte[]> traces = hz.getMap(MAP);
        byte[] bytes = traces.get(sha256);
        if (bytes == null) throw new IOException("trace " + fileName + " (sha256 " + sha256 + ") is not in the cluster");
        if (!SweepPlan.sha256(bytes).equals(sha256)) {
            throw new IOException("trace " + fileName + ": the cluster's copy does not match sha256 " + sha256);
        }
        Files.createDirectories(file.getParent());
        var tmp = Files.createTempFile(file.getParent(), ".trace-", ".part");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }
}
