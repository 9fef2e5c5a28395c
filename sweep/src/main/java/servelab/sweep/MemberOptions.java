package servelab.sweep;

import java.nio.file.Path;
import java.util.List;

/**
 * How a cluster member starts.
 *
 * @param clusterName members join only a cluster of the same name (Hazelcast's cluster name, not a secret)
 * @param host        the address it binds to and announces; loopback unless told otherwise
 * @param port        first port to try (the next ones are tried when it is taken)
 * @param join        {@code HOST:PORT} of members to join; empty: start alone and wait for others to join
 * @param threads     points it runs at once (each point is one single-threaded run)
 * @param pluginsDir  its plugins directory
 * @param workDir     where it runs points and keeps the traces it fetched, by content hash
 */
public record MemberOptions(String clusterName, String host, int port, List<String> join, int threads, Path pluginsDir,
                            Path workDir) {
    public static final String DEFAULT_CLUSTER = "servelab";
    public static final int DEFAULT_PORT = 5701;

    public MemberOptions {
        if (clusterName == null || clusterName.isBlank()) throw new IllegalArgumentException("--cluster must not be empty");
        if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1, was " + threads);
        if (port < 1 || port > 65535) throw new IllegalArgumentException("--port must be 1..65535, was " + port);
        checkHost(host);
        join = List.copyOf(join);
        for (var address : join) Addresses.parse(address); // names a malformed one
    }

    /**
     * A member binds to one address of this machine, the one the others reach: a wildcard bound every interface and
     * announced an address no other machine can join; a name that does not resolve, or another machine's address,
     * was reported as "no free port".
     */
    private static void checkHost(String host) {
        java.net.InetAddress address;
        try {
            address = java.net.InetAddress.getByName(host);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("--host " + host + ": no such host (it does not resolve)");
        }
        if (address.isAnyLocalAddress()) {
            throw new IllegalArgumentException("--host " + host + " is every interface: a member binds to one address of"
                    + " this machine, the one the other members reach (its LAN address; the default is 127.0.0.1)");
        }
        try {
            if (!address.isLoopbackAddress() && java.net.NetworkInterface.getByInetAddress(address) == null) {
                throw new IllegalArgumentException("--host " + host + (host.equals(address.getHostAddress()) ? "" : " ("
                        + address.getHostAddress() + ")") + " is not an address of this machine");
            }
        } catch (java.net.SocketException e) {
            // the interfaces cannot be listed: binding says what is wrong
        }
    }
}
