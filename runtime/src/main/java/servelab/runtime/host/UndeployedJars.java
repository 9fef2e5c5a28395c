package servelab.runtime.host;

import servelab.api.PluginKind;

/**
 * The jars a testbed has not deployed (a run deploys only those providing what it selects), deployed when a control
 * command asks for one of their plugins. Called without the registry's lock held: a deployment takes the deployer's
 * lock, then the registry's.
 */
interface UndeployedJars {
    /** Deploys the jars that may provide {@code wanted}'s kind and name. */
    void deploy(PluginSelection wanted);

    /** Deploys the jars that may provide a plugin of {@code kind} (to name them all). */
    void deployKind(PluginKind kind);

    /** Deploys every jar not deployed yet. */
    void deployAll();

    UndeployedJars NONE = new UndeployedJars() {
        @Override public void deploy(PluginSelection wanted) {}
        @Override public void deployKind(PluginKind kind) {}
        @Override public void deployAll() {}
    };
}
