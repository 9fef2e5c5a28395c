package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.report.RunResults;

/** 256 concurrent streaming clients on two emulated replicas: each is answered in full or refused, none lost. */
class ConcurrencyTest {
    static final int CLIENTS = 256;
    static final int TOKENS = 60;

    @Test
    void everyClientIsAnsweredOrRefusedWith503AndTheRecordsAgree(@TempDir Path dir) throws Exception {
        var answered = new AtomicInteger();
        var refused = new AtomicInteger();
        var wrong = new ConcurrentLinkedQueue<String>();
        try (var s = Served.start(dir, "replicas=2", "serve.max_pending=200");
             var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new ArrayList<Future<?>>();
            for (int i = 0; i < CLIENTS; i++) {
                int client = i;
                futures.add(clients.submit(() -> {
                    var request = HttpRequest.newBuilder(s.base.resolve("/v1/completions")).POST(HttpRequest.BodyPublishers
                            .ofString("{\"prompt\": \"client " + client + " asks\", \"max_tokens\": " + TOKENS
                                    + ", \"stream\": true, \"stream_options\": {\"include_usage\": true}}")).build();
                    var r = s.http.send(request, HttpResponse.BodyHandlers.ofString());
                    switch (r.statusCode()) {
                        case 200 -> {
                            var events = Served.events(r.body());
                            int tokens = events.getLast().get("usage").get("completion_tokens").asInt();
                            if (tokens == TOKENS && events.size() == TOKENS + 2) answered.incrementAndGet();
                            else wrong.add("client " + client + ": " + tokens + " tokens, " + events.size() + " events");
                        }
                        case 429, 503 -> {
                            if (r.headers().firstValue("Retry-After").isPresent()) refused.incrementAndGet();
                            else wrong.add("client " + client + ": " + r.statusCode() + " without Retry-After");
                        }
                        default -> wrong.add("client " + client + ": " + r.statusCode() + " " + r.body());
                    }
                    return null;
                }));
            }
            for (var f : futures) f.get();
        }
        assertTrue(wrong.isEmpty(), wrong.toString());
        assertEquals(CLIENTS, answered.get() + refused.get(), "answered " + answered + ", refused " + refused);
        // every client's request has its row: completed when answered, rejected (serve.max_pending) when refused
        var rows = RunResults.load(dir.resolve("run")).requests();
        assertEquals(CLIENTS, rows.rowCount(), "one row per client");
        var outcomes = rows.strings("outcome");
        var errors = rows.strings("error");
        int completed = 0, rejected = 0;
        for (int i = 0; i < rows.rowCount(); i++) {
            if (outcomes.get(i).equals("completed") && errors.get(i).isEmpty()) completed++;
            else if (outcomes.get(i).equals("rejected") && errors.get(i).startsWith(
                    "rejected by admission serve.max_pending: the server holds 200 requests")) rejected++;
        }
        assertEquals(answered.get(), completed);
        assertEquals(refused.get(), rejected);
        System.out.printf("ConcurrencyTest: %d answered, %d refused with 503%n", answered.get(), refused.get());
    }
}
