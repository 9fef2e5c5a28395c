package servelab.runtime.cli;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * The command list in {@code --help}. Picocli shows the first line of each command's description, and our
 * descriptions are wrapped prose, so the summaries stopped mid-sentence ("Replay a trace against ..., and"); here each
 * command's summary is its whole first sentence, wrapped under the name.
 */
final class HelpSummaries {
    private HelpSummaries() {}

    /** Installs the list on {@code cli} and every command under it that has commands. */
    static void install(CommandLine cli) {
        if (cli.getSubcommands().isEmpty()) return;
        cli.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, HelpSummaries::commandList);
        for (var sub : cli.getSubcommands().values()) {
            if (sub != cli) install(sub);
        }
    }

    private static String commandList(Help help) {
        var commands = help.subcommands();
        if (commands.isEmpty()) return "";
        int nameWidth = commands.keySet().stream().mapToInt(String::length).max().orElse(0) + 4;
        int width = Math.max(nameWidth + 20, help.commandSpec().usageMessage().width());
        var out = new StringBuilder();
        for (var entry : commands.entrySet()) {
            var lines = wrap(firstSentence(entry.getValue().commandSpec().usageMessage()), width - nameWidth);
            for (int i = 0; i < lines.size(); i++) {
                var name = i == 0 ? "  " + entry.getKey() : "";
                out.append(name).append(" ".repeat(nameWidth - name.length())).append(lines.get(i)).append('\n');
            }
            if (lines.isEmpty()) out.append("  ").append(entry.getKey()).append('\n');
        }
        return out.toString();
    }

    /** The header if there is one, else the description's first sentence (abbreviations like "e.g." do not end it). */
    static String firstSentence(UsageMessageSpec usage) {
        var source = usage.header().length > 0 ? usage.header() : usage.description();
        var text = String.join(" ", source).replaceAll("\\s+", " ").strip();
        for (int i = text.indexOf(". "); i >= 0; i = text.indexOf(". ", i + 1)) {
            var before = text.substring(0, i);
            if (!before.endsWith("e.g") && !before.endsWith("i.e") && !before.endsWith("vs")) return before + ".";
        }
        return text;
    }

    private static List<String> wrap(String text, int width) {
        var lines = new ArrayList<String>();
        var line = new StringBuilder();
        for (var word : text.split(" ")) {
            if (word.isEmpty()) continue;
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (!line.isEmpty()) line.append(' ');
            line.append(word);
        }
        if (!line.isEmpty()) lines.add(line.toString());
        return lines;
    }
}
