package servelab.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.host.FelixHost;
import servelab.runtime.host.TestBundles;
import servelab.runtime.install.Installation;

/**
 * Output reads the same in every locale: in Arabic (whose digits are not ASCII) the plugin framework did not start,
 * and in German the console's numbers had decimal commas beside the vLLM table's points.
 */
class LocaleTest {
    @TempDir Path work;

    @Test
    void theFrameworkStartsWhateverTheLocalesDigits() {
        var before = Locale.getDefault(Locale.Category.FORMAT);
        try {
            Locale.setDefault(Locale.Category.FORMAT, Locale.of("ar", "SA"));
            FelixHost.start().close(); // its Java version was "0.0.0.JavaSE_٠٢٥": an invalid version
            assertEquals(Locale.of("ar", "SA"), Locale.getDefault(Locale.Category.FORMAT), "the locale is given back");
        } finally {
            Locale.setDefault(Locale.Category.FORMAT, before);
        }
    }

    @Test
    void aRunInAGermanTurkishOrArabicLocalePrintsAsInEnglish() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        String english = null;
        for (var locale : new String[][] {{"en", "US"}, {"de", "DE"}, {"tr", "TR"}, {"ar", "SA"}}) {
            var log = work.resolve("log-" + locale[0] + ".txt");
            var p = new ProcessBuilder(Installation.java().toString(), "-Duser.language=" + locale[0],
                    "-Duser.country=" + locale[1], "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xmx512m",
                    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    "servelab.runtime.cli.Main", "run", "--plugins-dir", plugins.toString(), "--out",
                    work.resolve("run-" + locale[0]).toString(), "--set", "trace.synthetic.count=2000")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertEquals(0, p.waitFor(), Files.readString(log));
            // the console line, less its wall time
            String output = Files.readString(log);
            String line = output.lines().filter(l -> l.startsWith("Simulated ")).findFirst()
                    .orElseThrow(() -> new AssertionError(locale[0] + ": " + output));
            String simulated = line.replaceAll(" in [^ ]+ s of wall time", "").replaceAll("results in .*", "");
            assertTrue(simulated.matches("Simulated [0-9]+\\.[0-9] s \\([0-9,]+ iterations\\); "), locale[0] + ": " + line);
            if (english == null) english = simulated;
            assertEquals(english, simulated, locale[0]);
        }
    }
}
