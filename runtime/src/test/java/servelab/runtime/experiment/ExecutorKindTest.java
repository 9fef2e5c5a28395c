package servelab.runtime.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class ExecutorKindTest {
    @Test
    void theExecutorKeyReadsEachKindByItsNameAndListsThemAllOnAnUnknownOne() {
        for (var kind : ExecutorKind.values()) assertEquals(kind, ExecutorKind.fromId(kind.id()));
        assertEquals(ExecutorKind.SIMULATED, ExperimentFile.load(null, List.of()).executor());
        assertEquals(ExecutorKind.MODEL, ExperimentFile.load(null, List.of("executor=model", "model.path=m.gguf")).executor());
        var e = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(null, List.of("executor=Model")));
        assertEquals("executor=Model: executor 'Model' is not available; accepted: simulated, model, emulated",
                e.getMessage());
    }
}
