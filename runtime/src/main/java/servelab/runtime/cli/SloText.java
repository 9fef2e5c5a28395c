package servelab.runtime.cli;

import picocli.CommandLine;

import servelab.runtime.record.Slo;

/**
 * Checks an {@code --slo} value as the command line is read, so a bad one is a usage error (exit 2) like any other
 * option's: it was parsed once the command ran, and exited 1.
 */
public final class SloText implements CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
        try {
            Slo.parse(value);
            return value;
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
