package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginDescriptor;
import servelab.api.PluginKind;

/** A slot's fallback: the last other plugin, never a build that faulted. */
class PolicySlotTest {
    private static PolicySlot.Installed<Object> plugin(String name, long build, Map<String, Object> params) {
        return new PolicySlot.Installed<>(new Object(), new PluginDescriptor(PluginKind.ROUTER, name, "1.0.0", "test",
                List.of()), params, name + ".jar", build);
    }

    @Test
    void reTuningAPluginKeepsTheLastOtherPluginAsTheFallback() {
        var healthy = plugin("least-requests", 1, Map.of());
        var slot = new PolicySlot<>(healthy);
        var first = plugin("bad-router", 2, Map.of("after", 60));
        var retuned = plugin("bad-router", 2, Map.of("after", 3));
        slot.install(first);
        slot.install(retuned); // the same build with other parameters
        // when the re-tuned one faults, the slot goes back to least-requests, not to its own other instance
        assertTrue(slot.revert(retuned));
        assertSame(healthy, slot.current());
    }

    @Test
    void aFallbackThatFaultedIsNotGoneBackTo() {
        var a = plugin("a", 1, Map.of());
        var b = plugin("b", 2, Map.of());
        var slot = new PolicySlot<>(a);
        slot.install(b);
        assertTrue(slot.revert(b)); // b faulted: back to a
        slot.install(plugin("b", 2, Map.of("k", 1))); // b's build again (asked for by version), over a
        var c = plugin("c", 3, Map.of());
        slot.install(c); // the fallback is now b's build, which faulted
        assertFalse(slot.revert(c));
        assertSame(c, slot.current());
    }

    @Test
    void everyInstallBeforeAReaderLooksIsInItsChainOnce() {
        // given: two switches answered before any step used the first (a reader then saw only the last: the first,
        // with its parameters, was recorded nowhere)
        var a = plugin("a", 1, Map.of());
        var slot = new PolicySlot<>(a);
        var b = plugin("b", 2, Map.of("k", 1));
        var c = plugin("c", 3, Map.of());
        slot.install(b);
        slot.install(c);
        org.junit.jupiter.api.Assertions.assertEquals(List.of(b, c), slot.changesSince(a));
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), slot.changesSince(c), "each once");
        // and: a revert, which installs nothing, is the chain's last step
        assertTrue(slot.revert(c));
        org.junit.jupiter.api.Assertions.assertEquals(List.of(b), slot.changesSince(c));
    }
}
