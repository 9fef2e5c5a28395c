package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import servelab.kernels.tokenizer.BpeTrainer;
import servelab.kernels.tokenizer.Tokenizer;

/** Output text from byte-level tokens: a stray byte that is not UTF-8 does not hold back the text after it. */
class OutputTextTest {
    private static final Tokenizer TOKENIZER = new Tokenizer(BpeTrainer.sampleVocabulary());
    private static final LlamaTokens TOKENS = new LlamaTokens(TOKENIZER);

    /** The token that is the lone byte {@code b}. */
    private static int byteToken(int b) {
        for (int id = 0; id < TOKENIZER.vocabularySize(); id++) {
            if (!TOKENIZER.isSpecial(id) && Arrays.equals(TOKENIZER.decodeBytes(id), new byte[] {(byte) b})) return id;
        }
        throw new AssertionError("no token for byte " + b);
    }

    /** A token of two or more ASCII letters, and its text. */
    private static int wordToken() {
        for (int id = 0; id < TOKENIZER.vocabularySize(); id++) {
            var text = new String(TOKENIZER.decodeBytes(id), StandardCharsets.UTF_8);
            if (!TOKENIZER.isSpecial(id) && text.matches("[a-z]{3,}")) return id;
        }
        throw new AssertionError("no word token");
    }

    @Test
    void aWordAfterAByteThatStartsNoCharacterComesWithItsOwnToken() {
        int stray = byteToken(0xD0), word = wordToken(); // 0xD0 begins a two-byte character; a word cannot end it
        String w = new String(TOKENIZER.decodeBytes(word), StandardCharsets.UTF_8);
        var out = new OutputText(TOKENS, 1, List.of(), true);
        assertEquals("", out.add(0, stray)); // it may yet be completed
        assertEquals("\uFFFD" + w, out.add(1, word)); // the word was held until the next token, and lost at the end
        assertEquals("", out.rest());
    }

    @Test
    void aStopStringAfterAStrayByteStopsAtItsToken() {
        int stray = byteToken(0xD0), word = wordToken();
        String w = new String(TOKENIZER.decodeBytes(word), StandardCharsets.UTF_8);
        var out = new OutputText(TOKENS, 1, List.of(w), true);
        out.add(0, stray);
        out.add(1, word);
        assertTrue(out.stopped(), "the stop string was generated; it was seen one token late");
        assertEquals("\uFFFD", out.text());
    }

    @Test
    void bytesStillWaitingAtEndOfTextBecomeAReplacementCharacterToo() {
        // the same tokens gave one character less when the request ended on end-of-text than at max_tokens
        var out = new OutputText(TOKENS, 1, List.of(), false);
        assertEquals("", out.add(0, byteToken(0xD0)));
        assertEquals("\uFFFD", out.add(1, TOKENIZER.eos()));
        assertTrue(out.stopped());
        assertEquals("", out.rest());
    }

    @Test
    void bytesStillWaitingAtTheEndBecomeAReplacementCharacter() {
        var out = new OutputText(TOKENS, 1, List.of(), true);
        assertEquals("", out.add(0, byteToken(0xD0)));
        assertFalse(out.stopped());
        assertEquals("\uFFFD", out.rest());
    }
}
