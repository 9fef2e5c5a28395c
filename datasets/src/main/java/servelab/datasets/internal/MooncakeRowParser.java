package servelab.datasets.internal;

import java.io.IOException;
import java.math.RoundingMode;
import java.util.Arrays;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import servelab.datasets.ReadOptions;
import servelab.datasets.SkipReason;
import servelab.datasets.TraceFormat;
import servelab.datasets.TraceFormatException;

/**
 * Reads Mooncake JSON lines, one request per line (FAST'25 release, {@code FAST25-release/traces/*.jsonl}):
 * <pre>
 * {"timestamp": 0, "input_length": 6758, "output_length": 500, "hash_ids": [0, 1, 2, ...]}
 *   timestamp      arrival in milliseconds from the trace's start (integer; a decimal is read exactly)
 *   input_length   prompt tokens;  output_length  output tokens
 *   hash_ids       one id per 512-token prompt block; an id stands for the block and every block before it
 * </pre>
 * ServeLab's own additions, all optional: {@code block_size} (tokens per hash id, default 512), {@code tenant},
 * {@code priority}. Other fields are ignored. Each line gets its own Jackson parser, so a bad line is reported
 * with its number and can be skipped without losing the ones after it.
 */
public final class MooncakeRowParser implements RowParser {
    /** Mooncake's prefix block size: "block size 512 tokens" (FAST25-release/README). */
    public static final int MOONCAKE_BLOCK_TOKENS = 512;

    private static final JsonFactory JSON = new JsonFactory();
    private static final int TIME = 1;
    private static final int INPUT = 2;
    private static final int OUTPUT = 4;
    private static final int HASH_IDS = 8;
    private static final int BLOCK_SIZE = 16;
    private static final int PRIORITY = 32;
    private static final int TENANT = 64;

    private final LineReader lines;
    private final String fileName;
    private final String tenantField;
    private long[] scratch = new long[256];
    /** The first good row that gave {@code hash_ids} (0: none yet): every row after it gives them too. */
    private long firstWithHashIds;

    public MooncakeRowParser(LineReader lines, String fileName, ReadOptions options) {
        this.lines = lines;
        this.fileName = fileName;
        this.tenantField = options.tenantColumn().orElse("tenant");
    }

    @Override
    public boolean next(RawRow row) throws IOException {
        do {
            if (!lines.next()) return false;
        } while (lines.isBlank());
        row.line = lines.lineNumber();
        row.tenant = "default";
        row.priority = 0;
        row.prefixBlockIds = RawRow.NO_BLOCKS;
        int blockSize = MOONCAKE_BLOCK_TOKENS;
        boolean blockSizeGiven = false;
        int seen = 0;
        try (JsonParser p = JSON.createParser(lines.buffer(), lines.start(), lines.end() - lines.start())) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw lineError(row, "expected a JSON object");
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                int bit = switch (field) {
                    case "timestamp" -> TIME;
                    case "input_length" -> INPUT;
                    case "output_length" -> OUTPUT;
                    case "hash_ids" -> HASH_IDS;
                    case "block_size" -> BLOCK_SIZE;
                    case "priority" -> PRIORITY;
                    default -> field.equals(tenantField) ? TENANT : 0;
                };
                // JSON leaves a repeated key to the reader; which value is meant is a guess, so it is an error
                if ((seen & bit) != 0) {
                    throw TraceFormatException.ofField(fileName, row.line, field, SkipReason.BAD_VALUE,
                            "the line names this field twice");
                }
                seen |= bit;
                switch (field) {
                    case "timestamp" -> row.timeNanos = millisToNanos(p, row);
                    case "input_length" -> row.inputTokens = count(p, row, field);
                    case "output_length" -> row.outputTokens = count(p, row, field);
                    case "hash_ids" -> row.prefixBlockIds = blockIds(p, row);
                    case "block_size" -> { blockSize = positive(p, row, field); blockSizeGiven = true; }
                    case "priority" -> row.priority = integer(p, row, field);
                    default -> {
                        if (bit == TENANT) row.tenant = tenant(p, row, field);
                        else p.skipChildren();
                    }
                }
            }
            if (token != JsonToken.END_OBJECT) throw lineError(row, "expected a field name or '}'");
            if (p.nextToken() != null) throw lineError(row, "expected the line to end after the object");
        } catch (java.io.CharConversionException e) {
            // Jackson guesses UTF-16/32 from leading zero bytes; a JSON line is UTF-8 (found by fuzzing)
            throw lineError(row, "not UTF-8 text (" + e.getMessage() + ")");
        } catch (JsonProcessingException e) {
            throw lineError(row, "invalid JSON at character " + e.getLocation().getColumnNr() + ": "
                    + e.getOriginalMessage());
        }
        if ((seen & TIME) == 0) throw missing(row, "timestamp");
        if ((seen & INPUT) == 0) throw missing(row, "input_length");
        if ((seen & OUTPUT) == 0) throw missing(row, "output_length");
        boolean hashIds = (seen & HASH_IDS) != 0;
        // a row that lost its list would read as sharing nothing. (Rows without one before the first that has one
        // are taken as they come: which of them is the odd one, the stream cannot tell, and a skip_bad_rows run
        // would drop all the rest for a first line that lost its list.)
        if (firstWithHashIds > 0 && !hashIds) {
            throw TraceFormatException.ofField(fileName, row.line, "hash_ids", SkipReason.BAD_VALUE, "missing, though "
                    + "line " + firstWithHashIds + " gives it; every line after the first with hash_ids gives them (a "
                    + "line without prefix information: \"hash_ids\": [])");
        }
        if (row.prefixBlockIds.length > 0) checkBlockCount(row, blockSize, blockSizeGiven);
        row.prefixBlockTokens = row.prefixBlockIds.length == 0 ? 0 : blockSize;
        if (firstWithHashIds == 0 && hashIds) firstWithHashIds = row.line;
        return true;
    }

    /**
     * Mooncake has one id per 512-token block of the prompt, the last block possibly partial: exactly
     * ceil(input_length / 512) ids. More ids than the prompt has blocks is always wrong; fewer is accepted only with
     * ServeLab's explicit {@code block_size}, where the ids describe a shared prefix of the prompt (a written
     * shared-prefix trace). An empty list means the row has no prefix information, and so does a missing one, up to the
 * first row that gives a list: after it every row must.
     */
    private void checkBlockCount(RawRow row, int blockSize, boolean blockSizeGiven) {
        int ids = row.prefixBlockIds.length;
        long blocks = ((long) row.inputTokens + blockSize - 1) / blockSize;
        if (ids > blocks || (ids < blocks && !blockSizeGiven)) {
            throw TraceFormatException.ofField(fileName, row.line, "hash_ids", SkipReason.BAD_VALUE,
                    "has " + ids + " ids, but input_length " + row.inputTokens + " makes " + blocks + " blocks of "
                            + blockSize + " tokens (one id per block" + (blockSizeGiven ? ", at most" : "") + ")");
        }
    }

    private long millisToNanos(JsonParser p, RawRow row) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) throw fieldError(row, p, "timestamp", "a smaller number of milliseconds");
            long millis = p.getLongValue();
            if (millis < 0) throw fieldError(row, p, "timestamp", "a non-negative number of milliseconds");
            if (millis > Long.MAX_VALUE / 1_000_000L) throw fieldError(row, p, "timestamp", "a smaller number of milliseconds");
            return millis * 1_000_000L;
        }
        if (p.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) {
            var millis = decimal(p);
            if (millis == null || integerDigits(millis) > 30) {
                throw fieldError(row, p, "timestamp", "a smaller number of milliseconds");
            }
            var nanos = millis.movePointRight(6).setScale(0, RoundingMode.HALF_UP);
            if (nanos.signum() < 0) throw fieldError(row, p, "timestamp", "a non-negative number of milliseconds");
            if (nanos.toBigInteger().bitLength() >= 63) throw fieldError(row, p, "timestamp", "a smaller number of milliseconds");
            return nanos.longValue();
        }
        throw fieldError(row, p, "timestamp", "a non-negative number of milliseconds");
    }

    private int count(JsonParser p, RawRow row, String field) throws IOException {
        long value = wholeNumber(p);
        if (value < 0 || value > Integer.MAX_VALUE) throw fieldError(row, p, field, "a non-negative integer");
        return (int) value;
    }

    private int positive(JsonParser p, RawRow row, String field) throws IOException {
        long value = wholeNumber(p);
        if (value < 1 || value > Integer.MAX_VALUE) throw fieldError(row, p, field, "a positive integer");
        return (int) value;
    }

    private int integer(JsonParser p, RawRow row, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
            throw fieldError(row, p, field, "an integer");
        }
        return p.getIntValue();
    }

    /** An integer, or a decimal with no fraction ({@code 374.0}); -1 for anything else. */
    private static long wholeNumber(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? -1 : p.getLongValue();
            case VALUE_NUMBER_FLOAT -> {
                var value = decimal(p);
                // integer digits are checked before toBigInteger: 1e999999999 must not allocate a billion digits
                yield value != null && value.signum() >= 0 && value.stripTrailingZeros().scale() <= 0
                        && integerDigits(value) <= 18 ? value.longValue() : -1;
            }
            default -> -1;
        };
    }

    /** The number as a decimal, or null when Jackson refuses it (an exponent too long to represent, found by fuzzing). */
    private static java.math.BigDecimal decimal(JsonParser p) throws IOException {
        try {
            return p.getDecimalValue();
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Digits before the decimal point (may be negative for 0.001); 18 or fewer always fit in a long. */
    private static long integerDigits(java.math.BigDecimal value) {
        return (long) value.precision() - value.scale();
    }

    private long[] blockIds(JsonParser p, RawRow row) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) return RawRow.NO_BLOCKS;
        if (p.currentToken() != JsonToken.START_ARRAY) throw fieldError(row, p, "hash_ids", "an array of non-negative integers");
        int n = 0;
        JsonToken token;
        while ((token = p.nextToken()) == JsonToken.VALUE_NUMBER_INT
                && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER && p.getLongValue() >= 0) {
            if (n == scratch.length) scratch = Arrays.copyOf(scratch, n * 2);
            scratch[n++] = p.getLongValue();
        }
        if (token != JsonToken.END_ARRAY) throw fieldError(row, p, "hash_ids", "an array of non-negative integers");
        return n == 0 ? RawRow.NO_BLOCKS : Arrays.copyOf(scratch, n);
    }

    private String tenant(JsonParser p, RawRow row, String field) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getText().isEmpty() ? "default" : p.getText();
            case VALUE_NULL -> "default";
            default -> throw fieldError(row, p, field, "a string or a number");
        };
    }

    private TraceFormatException fieldError(RawRow row, JsonParser p, String field, String expected) throws IOException {
        var token = p.currentToken();
        var was = token == JsonToken.START_ARRAY ? "an array" : token == JsonToken.START_OBJECT ? "an object"
                : p.getText();
        if (was.length() > 40) was = was.substring(0, 40) + "...";
        // a JSON string shows its quotes: "expected a non-negative integer, was 100" read as a contradiction
        if (token == JsonToken.VALUE_STRING) was = "the string \"" + was + "\"";
        return TraceFormatException.ofField(fileName, row.line, field, SkipReason.BAD_VALUE,
                "expected " + expected + ", was " + was);
    }

    private TraceFormatException missing(RawRow row, String field) {
        return TraceFormatException.ofField(fileName, row.line, field, SkipReason.BAD_VALUE,
                "missing; each line needs timestamp, input_length and output_length");
    }

    private TraceFormatException lineError(RawRow row, String detail) {
        if (!lines.isTerminated()) detail += "; the file ends mid-row (truncated?)";
        return TraceFormatException.ofLine(fileName, row.line, SkipReason.BAD_VALUE, detail);
    }

    @Override
    public TraceFormatException outOfOrder(RawRow row, long previousTimeNanos, long previousLine) {
        return TraceFormatException.ofField(fileName, row.line, "timestamp", SkipReason.OUT_OF_ORDER,
                "arrival " + Decimals.millis(row.timeNanos) + " ms is earlier than " + Decimals.millis(previousTimeNanos)
                        + " ms on line " + previousLine + "; rows must be in arrival order");
    }

    @Override
    public TraceFormatException tooLate(RawRow row, long firstTimeNanos, long firstLine) {
        return TraceFormatException.ofField(fileName, row.line, "timestamp", SkipReason.BAD_VALUE,
                "arrival " + Decimals.millis(row.timeNanos) + " ms is more than 292 years after the first row's, "
                        + Decimals.millis(firstTimeNanos) + " ms on line " + firstLine
                        + "; a trace's span must fit in 64-bit nanoseconds");
    }

    @Override
    public TraceFormat format() {
        return TraceFormat.MOONCAKE_JSONL;
    }

    @Override
    public String fileName() {
        return fileName;
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
