package servelab.runtime.cli;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * The command list and the descriptions in {@code --help}. Picocli shows the first line of each command's
 * description, and our descriptions are wrapped prose, so the summaries stopped mid-sentence ("Replay a trace against
 * ..., and"); here each command's summary is its whole first sentence, wrapped under the name. And picocli wraps each
 * line of a description on its own, so a source line longer than the help's width left a stub of a few words on a
 * line of its own ("checks) with"); here the prose is joined and wrapped again as one paragraph, and the example lines
 * (from the first that starts with "Example") are printed as they are written.
 */
final class HelpSummaries {
    private HelpSummaries() {}

    /** Installs the description on {@code cli} and every command under it, and the list on those with commands. */
    static void install(CommandLine cli) {
        cli.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_DESCRIPTION, HelpSummaries::description);
        if (cli.getSubcommands().isEmpty()) return;
        cli.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, HelpSummaries::commandList);
        for (var sub : cli.getSubcommands().values()) {
            if (sub != cli) install(sub);
        }
    }

    /** The description: its prose as one paragraph wrapped to the help's width, then its examples as written. */
    static String description(Help help) {
        var lines = help.commandSpec().usageMessage().description();
        var prose = new StringBuilder();
        var examples = new StringBuilder();
        for (var raw : lines) {
            var line = unformat(raw);
            if (!examples.isEmpty() || line.stripLeading().startsWith("Example")) {
                examples.append(line).append('\n');
            } else {
                prose.append(prose.isEmpty() ? "" : " ").append(line.strip());
            }
        }
        var out = new StringBuilder();
        for (var paragraph : prose.toString().split("\n")) {
            for (var line : wrap(paragraph, help.commandSpec().usageMessage().width())) out.append(line).append('\n');
        }
        return out.append(examples).toString();
    }

    /**
     * A description line as picocli means it: a format string, whose {@code %n} is a line break and {@code %%} a
     * percent sign (picocli's own help command printed "%nWhen no COMMAND is given ...%n" through the rewrapping).
     */
    static String unformat(String line) {
        return line.replace("%n", "\n").replace("%%", "%");
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
        var text = unformat(String.join(" ", source)).replaceAll("\\s+", " ").strip();
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
