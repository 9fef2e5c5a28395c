package servelab.serve;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.host.HostListener;

/** A {@code servelab serve} session on a free loopback port for tests, with an HTTP client. */
final class Served implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static Path plugins;

    final ServeSession session;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final URI base;
    final Path runDir;

    private Served(ServeSession session, Path runDir) {
        this.session = session;
        this.runDir = runDir;
        this.base = URI.create("http://127.0.0.1:" + session.port());
    }

    /** Serves the default experiment on the emulated executor with {@code sets} ({@code serve.*} keys too). */
    static Served start(Path dir, String... sets) throws IOException {
        var all = new ArrayList<>(List.of("executor=emulated", "serve.port=0"));
        all.addAll(List.of(sets));
        var serve = new ServeSpec[] {ServeSpec.DEFAULTS};
        var exp = ExperimentFile.load(null, all, "serve", node -> serve[0] = ServeSpec.read(node, "test"));
        var runDir = dir.resolve("run");
        return new Served(ServeSession.start(exp, serve[0], runDir, plugins(dir), (type, kind, from, to, detail) -> { }), runDir);
    }

    private static synchronized Path plugins(Path dir) throws IOException {
        if (plugins == null || !Files.isDirectory(plugins)) {
            plugins = TestPlugins.defaultPlugins(Files.createTempDirectory("servelab-serve-plugins"));
        }
        return plugins;
    }

    HttpResponse<String> post(String path, String body, String... headers) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (headers.length > 0) request.headers(headers);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Sends {@code command} to the session's control port, as {@code servelab ctl} does; the answer's lines before
     * {@code ok}. An {@code error} line fails the test.
     */
    List<String> control(String command) throws IOException {
        int port = Integer.parseInt(Files.readString(runDir.resolve("control.port")).strip());
        var answer = new ArrayList<String>();
        try (var socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port);
             var out = new java.io.PrintWriter(socket.getOutputStream(), true, java.nio.charset.StandardCharsets.UTF_8);
             var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                     java.nio.charset.StandardCharsets.UTF_8))) {
            var key = servelab.runtime.host.ControlFiles.key(runDir);
            if (key.isPresent()) out.println("auth " + key.get());
            out.println(command);
            for (String line; (line = in.readLine()) != null && !line.equals("ok"); ) {
                if (line.startsWith("error")) throw new AssertionError(command + ": " + line);
                answer.add(line);
            }
        }
        return answer;
    }

    HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(base.resolve(path)).GET();
        if (headers.length > 0) request.headers(headers);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /** The {@code data:} payloads of an event stream, without {@code [DONE]}; fails when it is missing. */
    static List<JsonNode> events(String body) throws IOException {
        var out = new ArrayList<JsonNode>();
        boolean done = false;
        for (var line : body.split("\n")) {
            if (!line.startsWith("data: ")) continue;
            var data = line.substring(6);
            if (data.equals("[DONE]")) done = true;
            else out.add(JSON.readTree(data));
        }
        if (!done) throw new AssertionError("the stream did not end with data: [DONE]: " + body);
        return out;
    }

    @Override
    public void close() throws IOException {
        session.close();
        http.shutdownNow(); // streams a test left open must not hold it
    }
}
