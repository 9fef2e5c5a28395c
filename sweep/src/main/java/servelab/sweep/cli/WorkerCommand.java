package servelab.sweep.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import com.hazelcast.core.LifecycleEvent;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import servelab.sweep.SweepMember;

/** {@code servelab worker}: a cluster member that runs sweep points until stopped. */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = {"Start a sweep cluster member that runs the points `servelab sweep` hands it, until stopped",
                "(Ctrl-C). It binds to --host (loopback by default). Hazelcast's open-source edition has no",
                "authentication: anyone who reaches the port and knows the cluster name can join, so run workers on",
                "other machines only on a trusted network.",
                "Example: servelab worker --join 10.0.0.5:5701 --host 10.0.0.7"})
public final class WorkerCommand implements Callable<Integer> {
    @Mixin MemberFlags member;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var options = member.options();
        var hz = SweepMember.start(options);
        var stopped = new CountDownLatch(1);
        hz.getLifecycleService().addLifecycleListener(e -> {
            if (e.getState() == LifecycleEvent.LifecycleState.SHUTDOWN) stopped.countDown();
        });
        var local = hz.getCluster().getLocalMember().getAddress();
        var stdout = spec.commandLine().getOut();
        stdout.printf("servelab worker: member %s:%d of cluster '%s' (%d members), %d threads; Ctrl-C stops it%n",
                local.getHost(), local.getPort(), options.clusterName(), hz.getCluster().getMembers().size(),
                options.threads());
        stdout.flush();
        stopped.await();
        return 0;
    }
}
