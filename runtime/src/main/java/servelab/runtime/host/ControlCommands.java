package servelab.runtime.host;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.stream.Collectors;

import servelab.api.PluginKind;

/** The control port's commands over the plugin registry: one line in, the answer's lines out. */
final class ControlCommands {
    private final PluginRegistry registry;

    ControlCommands(PluginRegistry registry) {
        this.registry = registry;
    }

    String handle(String line) {
        var words = line.isEmpty() ? new String[0] : line.split("\\s+");
        if (words.length == 0) throw new IllegalArgumentException("empty command; commands: plugins, slots, switch");
        return switch (words[0]) {
            case "plugins" -> registry.available().stream().map(Plugin::toString).collect(Collectors.joining("\n"));
            case "slots" -> PluginRegistry.SLOTTED.stream().map(k -> k.id() + " " + registry.current(k).id())
                    .collect(Collectors.joining("\n"));
            case "switch" -> {
                if (words.length < 3) throw new IllegalArgumentException("usage: switch KIND NAME [key=value]...");
                var params = new LinkedHashMap<String, Object>();
                for (var kv : Arrays.copyOfRange(words, 3, words.length)) {
                    int eq = kv.indexOf('=');
                    if (eq <= 0) throw new IllegalArgumentException("parameter '" + kv + "' is not key=value");
                    if (params.put(kv.substring(0, eq), kv.substring(eq + 1)) != null) {
                        throw new IllegalArgumentException("parameter '" + kv.substring(0, eq) + "' is given twice");
                    }
                }
                yield registry.switchTo(new PluginSelection(PluginKind.fromId(words[1]), words[2], params));
            }
            default -> throw new IllegalArgumentException("unknown command '" + words[0]
                    + "'; commands: plugins, slots, switch");
        };
    }
}
