package servelab.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import servelab.load.StreamParser.Event;

class StreamParserTest {
    private final StreamParser parser = new StreamParser();

    @Test
    void completionAndChatChunks() {
        assertEquals(new Event.Chunk(" hi", null), parser.line("data: {\"choices\":[{\"index\":0,\"text\":\" hi\"}]}"));
        assertEquals(new Event.Chunk("yo", null),
                parser.line("data:{\"choices\":[{\"delta\":{\"content\":\"yo\"}}]}"));
        assertEquals(new Event.Chunk("", null), parser.line("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}"));
    }

    @Test
    void usageAloneOrOnTheLastChunk() {
        assertEquals(new Event.Chunk("", new StreamParser.Usage(12, 4, -1)), parser.line(
                "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":4}}"));
        assertEquals(new Event.Chunk("!", new StreamParser.Usage(3, 2, 1)), parser.line("data: {\"choices\":[{\"text\":"
                + "\"!\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"prompt_tokens_details\":"
                + "{\"cached_tokens\":1}}}"));
    }

    @Test
    void doneCommentsAndOtherFields() {
        assertInstanceOf(Event.Done.class, parser.line("data: [DONE]"));
        assertInstanceOf(Event.Ignored.class, parser.line(""));
        assertInstanceOf(Event.Ignored.class, parser.line(": keep-alive"));
        assertInstanceOf(Event.Ignored.class, parser.line("event: message"));
    }

    @Test
    void errorsNameWhatWasWrong() {
        var error = assertInstanceOf(Event.Failure.class,
                parser.line("data: {\"error\":{\"message\":\"prompt too long\",\"code\":400}}"));
        assertEquals("server error: 'prompt too long'", error.message());
        assertTrue(((Event.Failure) parser.line("data: {not json")).message().startsWith("not JSON"));
        assertTrue(((Event.Failure) parser.line("data: [1,2]")).message().startsWith("not a JSON object"));
        assertTrue(((Event.Failure) parser.line("data: {\"id\":1}")).message().startsWith("neither choices"));
        assertTrue(((Event.Failure) parser.line("<html>")).message().startsWith("not a server-sent event line"));
        String longLine = "x".repeat(10_000);
        assertTrue(((Event.Failure) parser.line(longLine)).message().length() < 300, "quotes are cut");
    }
}
