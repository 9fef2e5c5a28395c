package servelab.kernels.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import servelab.kernels.gguf.GgufFile;
import servelab.kernels.gguf.GgufValue;
import servelab.kernels.gguf.GgufWriter;

class TokenizerTest {
    private static final Vocabulary SAMPLE = BpeTrainer.sampleVocabulary();
    private static final Tokenizer TOKENIZER = new Tokenizer(SAMPLE);

    @Test
    void byteLevelAlphabetGivesEveryByteItsOwnPrintableCharacter() {
        assertEquals('Ġ', ByteLevel.charOf(' '));
        assertEquals('Ċ', ByteLevel.charOf('\n'));
        assertEquals('a', ByteLevel.charOf('a'));
        assertEquals('\u00e9', ByteLevel.charOf(0xe9));
        var seen = new HashSet<Character>();
        for (int b = 0; b < 256; b++) {
            seen.add(ByteLevel.charOf(b));
            assertEquals(b, ByteLevel.byteOf(ByteLevel.charOf(b)));
        }
        assertEquals(256, seen.size());
    }

    @Test
    void preTokenizerSplitsLikeLlama3() {
        assertEquals(List.of("Hello", " world", "'s", " ", "123", "45", " !!\n\n", " ", " x"),
                PreTokenizer.split("Hello world's 12345 !!\n\n  x"));
        // an emoji is neither letter nor digit: it joins the punctuation rule, trailing newline included
        assertEquals(List.of("I", "'M", " café", ",", " 東京", " 🙂\n"), PreTokenizer.split("I'M café, 東京 🙂\n"));
    }

    @Test
    void mergesApplyLowestRankFirst() {
        // "abc": with (a b) ranked first, a+b then ab+c; with (b c) first, a stays alone because (a bc) has no rank
        assertArrayEquals(new String[] {"abc"}, tokensOf(vocabularyWithMerges("a b", "ab c", "b c"), "abc"));
        assertArrayEquals(new String[] {"a", "bc"}, tokensOf(vocabularyWithMerges("b c", "a b", "ab c"), "abc"));
    }

    @Test
    void mergesMatchTheRescanningReferenceOnRandomText() {
        // the rescan after every merge (quadratic) is the reference; equal ranks merge leftmost first in both
        var random = new java.util.Random(3);
        var merges = SAMPLE.merges();
        var ranks = new java.util.HashMap<String, Integer>();
        for (int r = 0; r < merges.size(); r++) ranks.putIfAbsent(merges.get(r), r);
        String alphabet = "aaaabbbcde tthhe  \n,.'";
        for (int round = 0; round < 300; round++) {
            var text = new StringBuilder();
            int length = 1 + random.nextInt(round < 250 ? 40 : 400);
            for (int i = 0; i < length; i++) text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            var expected = new ArrayList<Integer>();
            for (var piece : PreTokenizer.split(text.toString())) {
                var parts = new ArrayList<String>();
                for (char c : ByteLevel.encode(piece).toCharArray()) parts.add(String.valueOf(c));
                rescanMerges(parts, ranks);
                for (var part : parts) expected.add(TOKENIZER.id(part).orElseThrow());
            }
            assertEquals(expected, Arrays.stream(TOKENIZER.encode(text.toString())).boxed().toList(), text.toString());
        }
    }

    private static void rescanMerges(List<String> parts, java.util.Map<String, Integer> ranks) {
        while (parts.size() > 1) {
            int bestRank = Integer.MAX_VALUE, best = -1;
            for (int i = 0; i + 1 < parts.size(); i++) {
                var rank = ranks.get(parts.get(i) + " " + parts.get(i + 1));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    best = i;
                }
            }
            if (best < 0) return;
            parts.set(best, parts.get(best) + parts.remove(best + 1));
        }
    }

    @Test
    void aLongWordEncodesWithoutRescanningItAfterEveryMerge() {
        // one 300,000-letter word (a server takes 1 MiB bodies): the rescanning merge would take many minutes here
        String word = "the".repeat(100_000);
        int[] ids = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                () -> TOKENIZER.encode(word));
        assertEquals(word, TOKENIZER.decode(ids));
        assertTrue(ids.length < word.length(), "merged: " + ids.length);
    }

    private static String[] tokensOf(Tokenizer tokenizer, String text) {
        return Arrays.stream(tokenizer.encode(text)).mapToObj(tokenizer::token).toArray(String[]::new);
    }

    private static Tokenizer vocabularyWithMerges(String... merges) {
        var tokens = new ArrayList<String>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteLevel.charOf(b)));
        }
        for (var merge : merges) {
            tokens.add(merge.replace(" ", ""));
        }
        tokens.addAll(List.of("<s>", "</s>"));
        var types = new ArrayList<Integer>();
        tokens.forEach(t -> types.add(t.startsWith("<") && t.length() > 1 ? Vocabulary.CONTROL : Vocabulary.NORMAL));
        return new Tokenizer(new Vocabulary(tokens, types, List.of(merges), tokens.size() - 2, tokens.size() - 1));
    }

    @Test
    void trainingIsDeterministicAndListsBytesMergesThenSpecials() {
        var again = BpeTrainer.train(BpeTrainer.sampleCorpus(), 400, BpeTrainer.LLAMA3_SPECIALS);
        assertEquals(SAMPLE, again);
        assertEquals(256 + SAMPLE.merges().size() + 5, SAMPLE.size());
        assertEquals("<|begin_of_text|>", SAMPLE.tokens().get(SAMPLE.bosId()));
        assertEquals("<|end_of_text|>", SAMPLE.tokens().get(SAMPLE.eosId()));
        // each merge's token is the concatenation of its two halves
        for (int m = 0; m < SAMPLE.merges().size(); m++) {
            assertEquals(SAMPLE.merges().get(m).replace(" ", ""), SAMPLE.tokens().get(256 + m));
        }
        assertTrue(SAMPLE.merges().size() > 250, "the sample corpus supports " + SAMPLE.merges().size() + " merges");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "The scheduler orders the waiting requests.",
        "café, naïve — 東京 🙂🚀 and \u0000\u0007\t tabs\r\n",
        "    indented code();\n\n\n",
        "numbers 3.14159 and 1234567890",
        "I'M SHOUTING, you're not",
        "<|eot_id|> written as plain text",
        ""
    })
    void decodeOfEncodeGivesTheTextBack(String text) {
        assertEquals(text, TOKENIZER.decode(TOKENIZER.encode(text)));
    }

    @Test
    void theCorpusEncodesIntoFewerTokensThanBytes() {
        var corpus = BpeTrainer.sampleCorpus();
        int[] tokens = TOKENIZER.encode(corpus);
        assertEquals(corpus, TOKENIZER.decode(tokens));
        // the merges were learned on this text, so it compresses to well under half its bytes
        assertTrue(tokens.length * 2 < corpus.getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                tokens.length + " tokens");
    }

    @Test
    void specialTokensAreSpecialOnlyWhenAsked() {
        int eot = TOKENIZER.id("<|eot_id|>").orElseThrow();
        int[] withSpecials = TOKENIZER.encodeWithSpecials("<|begin_of_text|>hi<|eot_id|>");
        assertEquals(TOKENIZER.bos(), withSpecials[0]);
        assertEquals(eot, withSpecials[withSpecials.length - 1]);
        assertEquals("hi", TOKENIZER.decode(Arrays.copyOfRange(withSpecials, 1, withSpecials.length - 1)));
        // as plain text, the same string is spelled out in ordinary tokens
        assertTrue(Arrays.stream(TOKENIZER.encode("<|eot_id|>")).noneMatch(TOKENIZER::isSpecial));
    }

    @Test
    void chatTemplateRendersLlama3Turns() {
        var messages = List.of(ChatTemplate.Message.system("Be brief."), ChatTemplate.Message.user("  What is a KV cache? "));
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWhat is a KV cache?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", ChatTemplate.render(messages, true));
        int[] ids = ChatTemplate.encode(TOKENIZER, messages, true);
        assertEquals(TOKENIZER.bos(), ids[0]);
        assertEquals(TOKENIZER.id("<|start_header_id|>").orElseThrow(), ids[1]);
        assertEquals(ChatTemplate.render(messages, true), TOKENIZER.decode(ids));
        // begin_of_text, then start/end header and eot for two messages, then the assistant's start/end header
        assertEquals(1 + 3 * 2 + 2, Arrays.stream(ids).filter(TOKENIZER::isSpecial).count());
    }

    @Test
    void vocabularyRoundTripsThroughGguf(@TempDir Path dir) throws IOException {
        var path = dir.resolve("vocab.gguf");
        var writer = new GgufWriter();
        SAMPLE.writeTo(writer);
        writer.write(path);
        try (var file = GgufFile.open(path)) {
            assertEquals(SAMPLE, Vocabulary.fromGguf(file.metadata()));
            assertEquals("llama-bpe", file.metadata().string("tokenizer.ggml.pre"));
        }
        var spm = dir.resolve("spm.gguf");
        new GgufWriter().put("tokenizer.ggml.model", GgufValue.ofString("llama")).write(spm);
        try (var file = GgufFile.open(spm)) {
            var error = assertThrows(IllegalArgumentException.class, () -> Vocabulary.fromGguf(file.metadata()));
            assertEquals("tokenizer.ggml.model is 'llama': only 'gpt2' (byte-level BPE) is supported", error.getMessage());
        }
    }
}
