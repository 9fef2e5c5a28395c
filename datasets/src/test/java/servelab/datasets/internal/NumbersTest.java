package servelab.datasets.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NumbersTest {

    private static long count(String text) {
        var b = text.getBytes(StandardCharsets.US_ASCII);
        return Numbers.parseCount(b, 0, b.length);
    }

    private static long seconds(String text) {
        var b = text.getBytes(StandardCharsets.US_ASCII);
        return Numbers.parseSecondsNanos(b, 0, b.length);
    }

    @ParameterizedTest
    @CsvSource({"0,0", "374,374", "' 42 ',42", "374.0,374", "2147483647,2147483647"})
    void readsNonNegativeIntegers(String text, long expected) {
        assertEquals(expected, count(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "-4", "+4", "3.5", "12a", "2147483648", "1e3", "4.", ".0"})
    void rejectsWhatIsNotANonNegativeInt(String text) {
        assertEquals(Numbers.INVALID, count(text));
    }

    @ParameterizedTest
    @CsvSource({
            "5,5000000000",
            "0.0,0",
            "4.314579,4314579000",
            // Vidur's CSVs carry float noise: rounded half-up at the ninth fractional digit
            "5.8926549999999995,5892655000",
            "138.57600300000001,138576003000",
            "0.0000000004,0",
            "0.0000000005,1",
            ".5,500000000",
            "1e-05,10000",
            "1.5E3,1500000000000"})
    void readsDecimalSecondsToTheNanosecond(String text, long expectedNanos) {
        assertEquals(expectedNanos, seconds(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "-1e3", "abc", "1.2.3", "NaN", "1e", "."})
    void rejectsWhatIsNotANonNegativeNumberOfSeconds(String text) {
        assertEquals(Numbers.INVALID, seconds(text));
    }

    @Test
    void reportsSecondsBeyondALongOfNanosAsTooLarge() {
        assertEquals(Numbers.TOO_LARGE, seconds("99999999999"));
        assertEquals(Numbers.TOO_LARGE, seconds("1e12"));
        // decided by the exponent, at once: computing 10^100000083 took 50 s and 1 GB (a fuzzing finding)
        assertEquals(Numbers.TOO_LARGE, org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(10), () -> seconds("1e100000083")));
        assertEquals(0, org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(10), () -> seconds("1e-100000000")));
        assertEquals(1_500_000_000L, seconds("1.5e0"));
        assertEquals(Numbers.INVALID, seconds("0." + "0".repeat(70) + "1e75"), "over 64 characters");
    }
}
