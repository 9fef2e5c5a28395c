package servelab.sweep;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What running a point produced, sent back to the coordinator.
 *
 * @param id        the point's id
 * @param member    {@code HOST:PORT} of the member that ran it
 * @param wallNanos wall time of the run on that member
 * @param files     the run folder's files by name (Arrow tables, run.json, summary.json); empty when it failed
 * @param error     why it failed, or null
 */
public record PointResult(String id, String member, long wallNanos, Map<String, byte[]> files, String error)
        implements Serializable {
    public PointResult {
        files = new LinkedHashMap<>(files);
    }

    public boolean ok() {
        return error == null;
    }
}
