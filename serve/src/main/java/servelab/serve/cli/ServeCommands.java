package servelab.serve.cli;

import java.util.List;

import servelab.runtime.cli.CommandProvider;

/** Adds {@code serve} to {@code servelab} when the serve jar is on the class path. */
public final class ServeCommands implements CommandProvider {
    @Override
    public List<Object> commands() {
        return List.of(new ServeCommand());
    }
}
