package servelab.runtime.cli;

import java.util.List;

/**
 * Commands that a module outside the runtime adds to {@code servelab}, found with {@link java.util.ServiceLoader}
 * on the class path (a {@code META-INF/services/servelab.runtime.cli.CommandProvider} entry). The sweep module adds
 * {@code sweep} and {@code worker} this way, so the runtime never depends on Hazelcast: without the sweep jar on the
 * class path those two commands are simply absent.
 */
public interface CommandProvider {
    /** picocli command objects (classes annotated with {@code @Command}), one per verb. */
    List<Object> commands();
}
