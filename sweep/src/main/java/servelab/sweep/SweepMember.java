package servelab.sweep;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.hazelcast.config.Config;
import com.hazelcast.config.DurableExecutorConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

/**
 * Starts an embedded Hazelcast member for sweeps: TCP-IP join on the given addresses only (no multicast, no cloud
 * discovery), bound to {@link MemberOptions#host} (loopback by default), phone-home off. Hazelcast's open-source
 * edition has no authentication: anyone who can reach the port and knows the cluster name can join, so a
 * multi-machine cluster belongs on a trusted network.
 */
public final class SweepMember {
    /** The durable executor points run on; its pool size is the member's {@code threads}. */
    public static final String EXECUTOR = "servelab.sweep";
    /** Member attribute with its thread count, so the coordinator keeps each member exactly busy. */
    static final String THREADS_ATTRIBUTE = "servelab.threads";
    /**
     * Member attribute naming the sweep a coordinator runs ({@code sweep ID}; absent on workers): a coordinator sends
     * points to itself and to any other member, but not to a second coordinator of its own sweep, which is refused.
     */
    static final String COORDINATES_ATTRIBUTE = "servelab.coordinates";
    /** User-context key of the member's {@link MemberOptions}, read by tasks running on it. */
    static final String OPTIONS_KEY = "servelab.member";
    static final String TESTBEDS_KEY = "servelab.testbeds";
    /** Seconds a member waits for the addresses it was told to join. */
    static final int JOIN_TIMEOUT_S = 8;

    /** Hazelcast's loggers that warn, with stack traces, about what a member leaving does to the others. */
    static final java.util.List<String> NOISY_WHEN_A_MEMBER_LEAVES = java.util.List.of(
            "com.hazelcast.internal.partition", "com.hazelcast.internal.server.tcp",
            "com.hazelcast.spi.impl.operationservice", "com.hazelcast.durableexecutor",
            "com.hazelcast.internal.cluster.impl.MembershipManager");

    /** One line on standard error when a member joins or leaves the cluster (after this one started). */
    static final class MemberChanges implements com.hazelcast.cluster.MembershipListener {
        @Override
        public void memberAdded(com.hazelcast.cluster.MembershipEvent event) {
            if (event.getMember().localMember()) return; // its own start, said by the command
            System.err.println("servelab: member " + Addresses.of(event.getMember()) + " joined ("
                    + event.getMembers().size() + " members)");
        }

        @Override
        public void memberRemoved(com.hazelcast.cluster.MembershipEvent event) {
            System.err.println("servelab: member " + Addresses.of(event.getMember()) + " left ("
                    + event.getMembers().size() + " members; its points run again elsewhere)");
        }
    }

    private SweepMember() {}

    public static HazelcastInstance start(MemberOptions options) {
        return start(options, true);
    }



    /**
     * @param shutdownHook whether Hazelcast ends the member itself when the JVM is stopped; a coordinator that ends
     *                     it in its own order (its results first) says false
     */
    static HazelcastInstance start(MemberOptions options, boolean shutdownHook) {
        return start(options, shutdownHook, null);
    }

    /** @param sweepId the sweep this member coordinates, or null for a worker */
    static HazelcastInstance start(MemberOptions options, boolean shutdownHook, String sweepId) {
        if (System.getProperty("org.slf4j.simpleLogger.log.com.hazelcast") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
        }
        // a member that leaves (killed, stopped) made the others print pages of warnings and stack traces (failed
        // migrations, refused and reset connections, a future completed twice): one line per member change instead
        for (var noisy : NOISY_WHEN_A_MEMBER_LEAVES) {
            var key = "org.slf4j.simpleLogger.log." + noisy;
            if (System.getProperty(key) == null) System.setProperty(key, "error");
        }
        var config = config(options);
        if (sweepId != null) config.getMemberAttributeConfig().setAttribute(COORDINATES_ATTRIBUTE, sweepId);
        // a coordinator joining a cluster owns no partition until its claim holds (SweepRunner promotes it): one refused
        // after joining as a data member took partitions, and the durable executor ran points again on it
        if (sweepId != null && !options.join().isEmpty()) config.setLiteMember(true);
        config.setProperty("hazelcast.shutdownhook.enabled", Boolean.toString(shutdownHook));
        var testbeds = new Testbeds(options.pluginsDir());
        config.getUserContext().put(TESTBEDS_KEY, testbeds);
        config.addListenerConfig(new com.hazelcast.config.ListenerConfig((com.hazelcast.core.LifecycleListener) event -> {
            if (event.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.SHUTDOWN) testbeds.close();
        }));
        config.addListenerConfig(new com.hazelcast.config.ListenerConfig(new MemberChanges()));
        var hz = Hazelcast.newHazelcastInstance(config);
        var members = hz.getCluster().getMembers();
        for (var address : options.join()) {
            if (!Addresses.present(address, members)) {
                hz.shutdown();
                throw new IllegalArgumentException("--join " + address + ": no member of cluster '" + options.clusterName()
                        + "' answered there within " + JOIN_TIMEOUT_S + " s (is `servelab worker` running there, "
                        + "with the same --cluster, and reachable from " + options.host() + "?)");
            }
        }
        return hz;
    }

    static Config config(MemberOptions options) {
        var config = new Config();
        config.setClusterName(options.clusterName());
        config.setInstanceName("servelab-" + options.clusterName() + "-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime());
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.shutdownhook.policy", "GRACEFUL");
        // bind to the one address asked for, never to every interface
        config.setProperty("hazelcast.local.localAddress", options.host());
        config.setProperty("hazelcast.socket.bind.any", "false");
        // a killed member is noticed in seconds (its points run again elsewhere), not after the default minute
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
        // a sweep is a few thousand tasks at most: fewer partitions start and migrate faster than the default 271
        config.setProperty("hazelcast.partition.count", "47");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        var network = config.getNetworkConfig();
        network.setPort(options.port()).setPortAutoIncrement(true).setPortCount(100);
        var join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(JOIN_TIMEOUT_S);
        for (var address : options.join()) join.getTcpIpConfig().addMember(address);
        if (options.join().isEmpty()) {
            // alone unless told: its own address and port only. Named by host alone, Hazelcast probed the ports
            // around it, and a sweep joined any worker or other sweep of the same cluster name on the machine
            int port = firstFreePort(options.host(), options.port());
            network.setPort(port).setPortAutoIncrement(false);
            join.getTcpIpConfig().addMember(options.host() + ":" + port);
        }
        config.addDurableExecutorConfig(new DurableExecutorConfig(EXECUTOR)
                .setPoolSize(options.threads()).setCapacity(10_000).setDurability(1));
        // LIST, not the default SET: a point started twice on the same member counts twice
        config.getMultiMapConfig("servelab.sweep.*").setValueCollectionType(
                com.hazelcast.config.MultiMapConfig.ValueCollectionType.LIST);
        config.getMemberAttributeConfig().setAttribute(THREADS_ATTRIBUTE, Integer.toString(options.threads()));
        Map<String, Object> context = new ConcurrentHashMap<>();
        context.put(OPTIONS_KEY, options);
        config.setUserContext(new ConcurrentHashMap<>(context));
        return config;
    }

    /** The first port from {@code from} (100 tried) that {@code host} can bind now. */
    static int firstFreePort(String host, int from) {
        for (int port = from; port < from + 100; port++) {
            try (var socket = new java.net.ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new java.net.InetSocketAddress(host, port));
                return port;
            } catch (java.io.IOException busy) {
                // taken: the next one
            }
        }
        throw new IllegalArgumentException("no free port on " + host + " from " + from + " to " + (from + 99)
                + "; give another with --port");
    }
}
