package servelab.datasets.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.random.RandomGeneratorFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimestampsTest {

    private static long parse(String text) {
        var bytes = text.getBytes(StandardCharsets.US_ASCII);
        return Timestamps.parseEpochNanos(bytes, 0, bytes.length);
    }

    private static long nanos(OffsetDateTime t) {
        return t.toEpochSecond() * 1_000_000_000L + t.getNano();
    }

    @Test
    void readsTheAzure2023LayoutAsUtcWithAllSevenFractionDigits() {
        // 2023-11-16 18:15:46.6805900 has 100 ns resolution: nothing may be lost
        var expected = OffsetDateTime.of(2023, 11, 16, 18, 15, 46, 680_590_000, ZoneOffset.UTC);
        assertEquals(nanos(expected), parse("2023-11-16 18:15:46.6805900"));
    }

    @Test
    void readsTheAzure2024LayoutWithMicrosecondsAndAnOffset() {
        var expected = OffsetDateTime.of(2024, 5, 10, 0, 0, 0, 9_930_000, ZoneOffset.UTC);
        assertEquals(nanos(expected), parse("2024-05-10 00:00:00.009930+00:00"));
    }

    @Test
    void appliesNonZeroOffsetsAndAcceptsIsoSeparatorsAndZulu() {
        // 02:00 at UTC+02:00 is midnight UTC
        long midnight = nanos(OffsetDateTime.of(2024, 5, 10, 0, 0, 0, 0, ZoneOffset.UTC));
        assertEquals(midnight, parse("2024-05-10 02:00:00+02:00"));
        assertEquals(midnight, parse("2024-05-09T19:30:00-0430"));
        assertEquals(midnight, parse("2024-05-10T00:00:00Z"));
        assertEquals(midnight, parse("2024-05-10 00:00:00"));
    }

    @Test
    void dropsFractionDigitsBeyondTheNanosecond() {
        assertEquals(parse("2023-11-16 18:15:46.123456789"), parse("2023-11-16 18:15:46.1234567899"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2023-11-16", "2023/11/16 18:15:46", "2023-13-16 18:15:46", "2023-02-29 00:00:00",
            "2023-11-16 24:00:00", "2023-11-16 18:15:46.", "2023-11-16 18:15:46.5x", "2023-11-16 18:15:46+5",
            "abcd-ef-gh ij:kl:mn", "-4"})
    void rejectsTextOffTheLayout(String text) {
        assertEquals(Timestamps.INVALID, parse(text));
    }

    @Test
    void agreesWithJavaTimeOnSeededRandomDates() {
        var random = RandomGeneratorFactory.of("L64X128MixRandom").create(7);
        for (int i = 0; i < 2_000; i++) {
            var date = LocalDate.ofEpochDay(random.nextLong(-200_000, 200_000));
            if (date.getYear() < 0 || date.getYear() > 9999) continue;
            var time = OffsetDateTime.of(date.atStartOfDay(), ZoneOffset.UTC)
                    .plus(random.nextLong(86_400_000_000_000L), ChronoUnit.NANOS);
            var text = String.format("%04d-%02d-%02d %02d:%02d:%02d.%09d", time.getYear(), time.getMonthValue(),
                    time.getDayOfMonth(), time.getHour(), time.getMinute(), time.getSecond(), time.getNano());
            // nanoseconds since the epoch fit a long from 1677-09-21 to 2262-04-11; whole years outside are refused
            long expected = time.getYear() < 1678 || time.getYear() > 2261 ? Timestamps.INVALID : nanos(time);
            assertEquals(expected, parse(text), text);
        }
    }

    @Test
    void yearsWhoseNanosecondsOverflowALongAreRefused() {
        assertEquals(Timestamps.INVALID, parse("4046-11-16 18:15:46.6805900"));
        assertEquals(Timestamps.INVALID, parse("1600-01-01 00:00:00"));
        assertEquals(nanos(OffsetDateTime.of(2261, 12, 31, 23, 59, 59, 0, ZoneOffset.UTC)), parse("2261-12-31 23:59:59"));
    }
}
