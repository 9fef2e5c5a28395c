package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.api.PluginDescriptor;
import servelab.api.PluginKind;
import servelab.api.route.PrefixKnowledge;
import servelab.api.route.Router;
import servelab.runtime.engine.PolicySlot;

/**
 * What a router sees under {@code servelab serve}: the prompt's block hashes, and each replica's prefix estimated from
 * the prompts routed to it (they were NONE and 0, so a prefix-aware router could not work in serve).
 */
class RouterViewsTest {

    @Test
    void aPrefixAwareRouterSeesWhereAPromptWentBefore(@TempDir Path dir) throws Exception {
        var seen = new CopyOnWriteArrayList<String>();
        try (var s = Served.start(dir, "replicas=2", "plugins.prefix-cache.name=hash-block")) {
            // a router that goes where most of the prompt's blocks are, else by request id
            Router byPrefix = (request, views) -> {
                var blocks = request.promptBlocks();
                var best = views.stream().max(java.util.Comparator.comparingInt(v -> v.cachedPrefixBlocks(blocks)))
                        .orElseThrow();
                int cached = best.cachedPrefixBlocks(blocks);
                seen.add(blocks.count() + " blocks, " + cached + " cached, " + best.prefixKnowledge());
                return cached > 0 ? best.index() : views.get((int) (request.id() % views.size())).index();
            };
            s.session.engine().clusterSlots().router().install(new PolicySlot.Installed<>(byPrefix,
                    new PluginDescriptor(PluginKind.ROUTER, "by-prefix", "1.0.0", "test", List.of()), java.util.Map.of(),
                    "test"));
            String prompt = "{\"prompt\": \"" + "the same long shared system prompt ".repeat(30) + "\", \"max_tokens\": 2}";
            for (int i = 0; i < 3; i++) assertEquals(200, s.post("/v1/completions", prompt).statusCode());
        }
        // the first saw nothing cached; the later ones saw their whole prompt where the first went
        assertTrue(seen.get(0).contains(" 0 cached, ESTIMATED"), seen.toString());
        int blocks = Integer.parseInt(seen.get(1).split(" ")[0]);
        assertTrue(blocks > 5, seen.toString());
        assertEquals(blocks + " blocks, " + blocks + " cached, " + PrefixKnowledge.ESTIMATED, seen.get(1));
        assertEquals(seen.get(1), seen.get(2));
        // and they went to the same replica
        var replicas = servelab.runtime.report.RunResults.load(dir.resolve("run")).requests().longs("replica");
        assertEquals(3, replicas.length);
        assertTrue(replicas[0] == replicas[1] && replicas[1] == replicas[2], java.util.Arrays.toString(replicas));
    }
}
