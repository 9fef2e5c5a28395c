package servelab.sweep.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Option;

import servelab.sweep.MemberOptions;

/** The cluster options {@code sweep} and {@code worker} share. */
final class MemberFlags {
    @Option(names = "--cluster", paramLabel = "NAME", description = "cluster name; members join only a cluster of the "
            + "same name (default ${DEFAULT-VALUE}). Not a secret: Hazelcast's open-source edition has no authentication")
    String cluster = MemberOptions.DEFAULT_CLUSTER;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "address to bind to and announce (default "
            + "${DEFAULT-VALUE}, loopback: only this machine can join; give this machine's address on a trusted "
            + "network to let others join)")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "PORT", description = "first port to try; the next free one is taken "
            + "(default ${DEFAULT-VALUE})")
    int port = MemberOptions.DEFAULT_PORT;

    @Option(names = {"--join", "--members"}, paramLabel = "HOST:PORT", split = ",",
            description = "members to join (started with `servelab worker`); an unreachable one is an error")
    List<String> join = new ArrayList<>();

    @Option(names = "--threads", paramLabel = "N", description = "points this member runs at once (default: cores, "
            + "${DEFAULT-VALUE})")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--plugins-dir", paramLabel = "DIR", description = "directory of plugin bundle jars (default: the "
            + "build's target/plugins, or $SERVELAB_PLUGINS)")
    Path pluginsDir;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "scratch folder for running points and the traces "
            + "fetched from the cluster (default: a servelab-sweep folder in the temporary directory)")
    Path workDir;

    MemberOptions options() {
        return new MemberOptions(cluster, host, port, join, threads, plugins(),
                workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"), "servelab-sweep-" + System.getProperty("user.name")));
    }

    private Path plugins() {
        if (pluginsDir != null) return pluginsDir;
        var env = System.getenv("SERVELAB_PLUGINS");
        if (env != null && !env.isBlank()) return Path.of(env);
        var home = System.getProperty("servelab.home");
        return (home == null ? Path.of(".") : Path.of(home)).resolve("target/plugins");
    }
}
