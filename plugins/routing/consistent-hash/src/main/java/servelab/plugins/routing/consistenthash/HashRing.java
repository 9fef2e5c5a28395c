package servelab.plugins.routing.consistenthash;

import java.util.Arrays;
import java.util.List;

import servelab.api.route.ReplicaView;

/** Ring points (sorted 64-bit hashes) and the list position that owns each, built for one list of replica names. */
final class HashRing {
    static final HashRing EMPTY = new HashRing(new String[0], new long[0], new int[0]);

    private final String[] names;
    private final long[] points;
    private final int[] owners;

    private HashRing(String[] names, long[] points, int[] owners) {
        this.names = names;
        this.points = points;
        this.owners = owners;
    }

    static HashRing of(List<ReplicaView> replicas, int virtualNodes) {
        int n = replicas.size();
        var names = new String[n];
        var keyed = new long[n * virtualNodes][];
        for (int i = 0; i < n; i++) {
            names[i] = replicas.get(i).name();
            for (int v = 0; v < virtualNodes; v++) keyed[i * virtualNodes + v] = new long[] {hash(names[i] + "#" + v), i};
        }
        // equal hashes (astronomically rare) are ordered by owner, so the ring does not depend on sort stability
        Arrays.sort(keyed, (a, b) -> a[0] != b[0] ? Long.compareUnsigned(a[0], b[0]) : Long.compare(a[1], b[1]));
        var points = new long[keyed.length];
        var owners = new int[keyed.length];
        for (int k = 0; k < keyed.length; k++) {
            points[k] = keyed[k][0];
            owners[k] = (int) keyed[k][1];
        }
        return new HashRing(names, points, owners);
    }

    /** Whether this ring was built for these replica names, in this order. */
    boolean matches(List<ReplicaView> replicas) {
        if (replicas.size() != names.length) return false;
        for (int i = 0; i < names.length; i++) if (!names[i].equals(replicas.get(i).name())) return false;
        return true;
    }

    int size() {
        return points.length;
    }

    int owner(int point) {
        return owners[point];
    }

    /** The first point at or after {@code hash} (unsigned), wrapping to 0. */
    int firstAtOrAfter(long hash) {
        int lo = 0;
        int hi = points.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(points[mid], hash) < 0) lo = mid + 1; else hi = mid;
        }
        return lo == points.length ? 0 : lo;
    }

    /** FNV-1a over the UTF-16 units, then MurmurHash3's 64-bit finaliser: stable across JVMs and runs. */
    static long hash(String key) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < key.length(); i++) {
            h ^= key.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
