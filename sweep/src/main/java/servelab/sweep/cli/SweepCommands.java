package servelab.sweep.cli;

import java.util.List;

import servelab.runtime.cli.CommandProvider;

/** Adds {@code sweep} and {@code worker} to {@code servelab} when the sweep jar is on the class path. */
public final class SweepCommands implements CommandProvider {
    @Override
    public List<Object> commands() {
        return List.of(new SweepCommand(), new WorkerCommand());
    }
}
