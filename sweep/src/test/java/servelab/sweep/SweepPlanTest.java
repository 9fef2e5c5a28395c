package servelab.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.sweep.Point;

class SweepPlanTest {
    @TempDir Path dir;

    private SweepPlan plan(String yaml) throws Exception {
        var file = dir.resolve("sweep.yaml");
        Files.writeString(file, yaml);
        return SweepPlan.of(SweepFile.load(file));
    }

    private String error(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> plan(yaml)).getMessage();
    }

    @Test
    void gridHasEveryCombinationWithTheLastAxisFastest() throws Exception {
        var plan = plan("""
                base: {trace: {synthetic: {count: 50}}}
                axes:
                  plugins.scheduler.name: [fcfs, sjf]
                  seed: [1, 2, 3]
                """);
        // then: 2 x 3 points, seed varying fastest
        assertEquals(6, plan.points().size());
        assertEquals(Map.of("plugins.scheduler.name", "fcfs", "seed", "2"), plan.points().get(1).values());
        assertEquals(List.of("plugins.scheduler.name=\"sjf\"", "seed=1"), plan.points().get(3).overrides());
        assertEquals(6, plan.points().stream().map(Point::id).distinct().count());
    }

    @Test
    void quotedValuesAreTextEvenWhenTheyReadAsNumbers() throws Exception {
        // "007" and "7" are two experiments; typed as numbers they were one value (7) in sweep.arrow and the report
        var plan = plan("""
                base: {trace: {synthetic: {count: 50}}}
                axes:
                  name: ["007", "7"]
                  seed: [1, 2]
                """);
        assertEquals(org.apache.arrow.vector.types.pojo.ArrowType.Utf8.INSTANCE, SweepTable.axisType(plan, "name"));
        assertEquals(new org.apache.arrow.vector.types.pojo.ArrowType.Int(64, true), SweepTable.axisType(plan, "seed"));
        var names = plan.points().stream().map(p -> SweepTable.typedValues(plan, p).get("name")).distinct().toList();
        assertEquals(List.of("007", "7"), names);
    }

    @Test
    void aPlanSaysWhetherAnyPointRunsOnTheModel() throws Exception {
        // the sweep command starts itself again with the Vector API when one does (VectorModule.ensure)
        assertEquals(false, plan("""
                base: {trace: {synthetic: {count: 50}}}
                axes: {seed: [1, 2]}
                """).realModel());
        assertEquals(true, plan("""
                base: {trace: {synthetic: {count: 50}}, model: {path: m.gguf}}
                axes: {executor: [simulated, model]}
                """).realModel());
    }

    @Test
    void idsDependOnTheResolvedExperimentNotOnHowTheFileSaysIt() throws Exception {
        var a = plan("""
                base: {trace: {synthetic: {count: 50}}}
                axes: {seed: [1, 2]}
                """);
        var b = plan("""
                base: {seed: 7}
                set: [trace.synthetic.count=50]
                axes: {seed: [2, 1, 9]}
                constraints: ["seed < 5"]
                """);
        // then: seed=1 is the same experiment in both files, so it has the same id
        assertEquals(a.points().get(0).id(), b.points().get(1).id());
        assertEquals(a.id(), b.id());
        assertNotEquals(a.points().get(0).id(), a.points().get(1).id());
    }

    @Test
    void constraintsAndASeededSampleChooseThePoints() throws Exception {
        String yaml = """
                axes:
                  replicas: [1, 2, 4]
                  seed: [1, 2, 3, 4, 5]
                constraints: ["replicas <= 2", "seed != 3"]
                sample: {count: 5, seed: 11}
                """;
        var plan = plan(yaml);
        // then: 2 replica values x 4 seeds pass the constraints, 5 of them sampled, the same 5 every time
        assertEquals(5, plan.points().size());
        assertEquals(8, plan.candidates());
        assertTrue(plan.points().stream().allMatch(p -> !p.values().get("seed").equals("3")
                && Integer.parseInt(p.values().get("replicas")) <= 2));
        assertEquals(plan.points(), plan(yaml).points());
    }

    @Test
    void theTraceFileIsHashedAndNamedByItsContent() throws Exception {
        var trace = Path.of(System.getProperty("servelab.sharedDir", "../../shared"),
                "traces/azure_llm_2023/AzureLLMInferenceTrace_conv.before_1845.csv");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(trace), "shared traces not present");
        var copy = Files.copy(trace, dir.resolve("renamed.csv"));
        var a = plan("base: {trace: {file: \"" + trace.toAbsolutePath() + "\", format: azure-csv}}\naxes: {seed: [1]}\n");
        var b = plan("base: {trace: {file: \"" + copy.toAbsolutePath() + "\", format: azure-csv}}\naxes: {seed: [1]}\n");
        // then: the same bytes under another name are the same point
        assertEquals(a.points().getFirst().id(), b.points().getFirst().id());
        assertEquals(64, a.trace().orElseThrow().sha256().length());
    }

    @Test
    void pathsInAnInlineBaseAreRelativeToTheSweepFile() throws Exception {
        // a sweep file beside its trace, planned from another working directory: the trace is the one beside it
        Files.createDirectories(dir.resolve("data"));
        var trace = Files.writeString(dir.resolve("data/t.csv"),
                "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,374,44\n");
        var plan = plan("base: {trace: {file: data/t.csv, format: azure-csv}}\naxes: {seed: [1, 2]}\n");
        assertEquals(trace.toAbsolutePath().normalize(), plan.trace().orElseThrow().path());
    }

    @Test
    void anUnknownAxisKeyIsNamed() {
        var message = error("axes: {plugins.scheduler.nmae: [fcfs]}\n");
        assertTrue(message.contains("axis 'plugins.scheduler.nmae'") && message.contains("nmae"), message);
        var top = error("axes: {sed: [1, 2]}\n");
        assertTrue(top.contains("axis 'sed'") && top.contains("unknown key 'sed'"), top);
    }

    @Test
    void anExperimentFileGivenForASweepIsSaidToBeOne() {
        var message = error("name: x\ntrace: {synthetic: {count: 5}}\n");
        assertTrue(message.contains("is an experiment file, not a sweep file"), message);
    }

    @Test
    void anEmptyAxisIsNamed() {
        var message = error("axes: {seed: [1], replicas: []}\n");
        assertTrue(message.contains("axis 'replicas' is empty"), message);
    }

    @Test
    void aConstraintThatRemovesEveryPointIsAnError() {
        var message = error("axes: {seed: [1, 2]}\nconstraints: [\"seed > 5\"]\n");
        assertTrue(message.contains("remove every one of the 2 points") && message.contains("seed > 5"), message);
    }

    @Test
    void aConstraintOnAKeyThatIsNoAxisIsNamed() {
        var message = error("axes: {seed: [1, 2]}\nconstraints: [\"replica.count > 1\"]\n");
        assertTrue(message.contains("unknown axis key 'replica.count'"), message);
    }

    @Test
    void aConstraintThatNamesNoAxisIsAnErrorNotKeptForEveryPoint() {
        // 'sed' is no axis and has no dot, so it read as a literal: 'sed != 1' held for every point, silently
        var message = error("axes: {seed: [1, 2]}\nconstraints: [\"sed != 1\"]\n");
        assertTrue(message.contains("constraint 'sed != 1' names no axis") && message.contains("axes: seed"), message);
    }

    @Test
    void aConstraintNoValueCanMeetAsMeantIsRefused() {
        // a number axis against text compared as text: 'seed <= abc' held for every point
        var text = error("axes: {seed: [1, 2]}\nconstraints: [\"seed <= abc\"]\n");
        assertTrue(text.contains("constraint 'seed <= abc' compares the number axis 'seed' [1, 2] with the text 'abc'"), text);
        // a misspelt value: '!= srtp' held for every point
        var value = error("axes: {plugins.scheduler.name: [fcfs, sjf]}\nconstraints: [\"plugins.scheduler.name != srtp\"]\n");
        assertTrue(value.contains("'srtp' is no value of axis 'plugins.scheduler.name' [fcfs, sjf], so it would hold for"
                + " every point"), value);
        var axes = error("axes: {seed: [1, 2], plugins.scheduler.name: [fcfs, sjf]}\n"
                + "constraints: [\"plugins.scheduler.name < seed\"]\n");
        assertTrue(axes.contains("compares the number axis 'seed' with the text axis 'plugins.scheduler.name'"), axes);
    }

    @Test
    void aLoneQuoteInAConstraintAndABadSetKeyAreNamedAsWritten() {
        // it said "Range [1, 0) out of bounds for length 1"
        var quote = error("axes: {seed: [1, 2]}\nconstraints: [\"seed == '\"]\n");
        assertTrue(quote.contains("constraint 'seed == '': the quoted value ' does not end with its quote"), quote);
        // a mistyped set: key was blamed on the first axis ("axis 'seed': ... unknown key 'sed'")
        var set = error("set: [sed=3]\naxes: {seed: [1, 2]}\n");
        assertTrue(set.contains(": set: ") && set.contains("'sed'") && !set.contains("axis 'seed'"), set);
    }

    @Test
    void aMissingBaseFileSaysWhy() {
        // it said "cannot read /x/nothere.yaml: /x/nothere.yaml", the path twice and no reason
        var message = error("base: nothere.yaml\naxes: {seed: [1, 2]}\n");
        assertTrue(message.contains("nothere.yaml: no such file"), message);
    }

    @Test
    void anUnknownTopLevelKeyIsNamed() {
        var message = error("axis: {seed: [1]}\n");
        assertTrue(message.contains("unknown key 'axis'"), message);
    }
}
