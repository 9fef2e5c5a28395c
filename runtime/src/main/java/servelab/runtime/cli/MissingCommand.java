package servelab.runtime.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** A command of commands given none: a usage error (exit 2) that lists them, with the command's usage on stderr. */
final class MissingCommand {
    private MissingCommand() {}

    static CommandLine.ParameterException of(CommandSpec spec) {
        return new CommandLine.ParameterException(spec.commandLine(), spec.qualifiedName() + " needs a command: "
                + String.join(", ", spec.subcommands().keySet()));
    }
}
