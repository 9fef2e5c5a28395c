package servelab.runtime.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --set KEY=VALUE}, checked as it is parsed: a value without a key is a usage error (exit 2, with the usage),
 * as an unknown option is, not a failed run (exit 1). The key and the value are checked when the experiment loads.
 */
public final class KeyValueConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
        int eq = value.indexOf('=');
        if (eq <= 0) {
            throw new TypeConversionException("expected KEY=VALUE (e.g. seed=7), was '" + servelab.runtime.host.Printable.of(value) + "'");
        }
        return value;
    }
}
