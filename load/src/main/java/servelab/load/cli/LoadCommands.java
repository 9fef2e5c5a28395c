package servelab.load.cli;

import java.util.List;

import servelab.runtime.cli.CommandProvider;

/** Adds {@code load} to {@code servelab} when the load jar is on the class path. */
public final class LoadCommands implements CommandProvider {
    @Override
    public List<Object> commands() {
        return List.of(new LoadCommand());
    }
}
