package servelab.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The time a policy may read. In a simulated run it is the virtual clock, advanced by the cost model; in a real
 * run it is the wall clock. A policy that reads only this clock cannot tell which world it runs in.
 */
@ProviderType
@FunctionalInterface
public interface Clock {
    /** Current time in nanoseconds since the start of the run (monotonic, never negative). */
    long nanos();
}
