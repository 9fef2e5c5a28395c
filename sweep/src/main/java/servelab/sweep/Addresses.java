package servelab.sweep;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;

import com.hazelcast.cluster.Member;

/** {@code HOST:PORT} addresses of members. */
final class Addresses {
    private Addresses() {}

    record HostPort(String host, int port) {}

    static HostPort parse(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("--join " + address + ": expected HOST:PORT, e.g. 127.0.0.1:5701");
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            if (port < 1 || port > 65535) throw new NumberFormatException();
            return new HostPort(address.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--join " + address + ": the port must be a number 1..65535");
        }
    }

    /** Whether one of {@code members} listens at {@code address}. */
    static boolean present(String address, Collection<Member> members) {
        var hp = parse(address);
        InetAddress wanted;
        try {
            wanted = InetAddress.getByName(hp.host());
        } catch (UnknownHostException e) {
            return false;
        }
        for (var m : members) {
            try {
                if (m.getAddress().getPort() == hp.port() && m.getAddress().getInetAddress().equals(wanted)) return true;
            } catch (UnknownHostException e) {
                // a member whose own address does not resolve cannot be the one asked for
            }
        }
        return false;
    }

    static String of(Member member) {
        return member.getAddress().getHost() + ":" + member.getAddress().getPort();
    }
}
