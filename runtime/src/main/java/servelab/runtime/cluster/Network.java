package servelab.runtime.cluster;

import java.util.SplittableRandom;

import servelab.common.seed.Seeds;

/**
 * One-way delays of the three legs a request crosses: client to router, router to replica, replica to client.
 * Each leg draws from its own seeded stream in the order requests reach it, so a run replays exactly and changing
 * one leg's distribution does not change another's draws.
 */
public final class Network {
    public static final Network NONE = new Network(Delay.NONE, Delay.NONE, Delay.NONE, 0);

    private final Delay clientRouter, routerReplica, replicaClient;
    private final SplittableRandom toRouter, toReplica, toClient;

    public Network(Delay clientRouter, Delay routerReplica, Delay replicaClient, long seed) {
        this.clientRouter = clientRouter;
        this.routerReplica = routerReplica;
        this.replicaClient = replicaClient;
        // one stream per leg (servelab.common.seed.Seeds.ofStream), apart from the trace generator's streams 0..3
        this.toRouter = new SplittableRandom(Seeds.ofStream(seed, 101));
        this.toReplica = new SplittableRandom(Seeds.ofStream(seed, 102));
        this.toClient = new SplittableRandom(Seeds.ofStream(seed, 103));
    }

    public long clientToRouterNanos() {
        return clientRouter.isZero() ? 0 : clientRouter.sampleNanos(toRouter);
    }

    public long routerToReplicaNanos() {
        return routerReplica.isZero() ? 0 : routerReplica.sampleNanos(toReplica);
    }

    public long replicaToClientNanos() {
        return replicaClient.isZero() ? 0 : replicaClient.sampleNanos(toClient);
    }

    /** Whether requests reach the router at their arrival time (no client-to-router delay). */
    public boolean isFrontInstant() {
        return clientRouter.isZero();
    }

    /** Whether routed requests reach their replica at once. */
    public boolean isBackInstant() {
        return routerReplica.isZero();
    }
}
