package servelab.runtime.engine;

import java.util.ArrayList;
import java.util.List;

import servelab.runtime.record.RequestRow;

/**
 * The rows a replica writes while it steps. A step is applied when it starts, but the answers it finishes are
 * answers only when it ends: they are held and handed on as one event at the step's end (the router's counts, the
 * requests' ends and what follows them wait until then). What the replica refused in its step is known at its start.
 * Holding them also means that ending a request never takes a sequence off a replica in the middle of its own step.
 */
final class StepRows {
    private final ArrayList<RequestRow> held = new ArrayList<>();
    private final java.util.ArrayDeque<RequestRow> answering = new java.util.ArrayDeque<>();
    private boolean stepping;

    void begin() {
        stepping = true;
    }

    /** Holds {@code row} if a step is going; false when none is (the row is handled now). */
    boolean hold(RequestRow row) {
        if (stepping) held.add(row);
        return stepping;
    }

    /** A step's answers reach the gateway, one by one; what a policy's failure leaves is {@link #answerRest}'s. */
    void answer(List<RequestRow> answers, java.util.function.Consumer<RequestRow> answered) {
        answering.addAll(answers);
        answerRest(answered);
    }

    /** Answers what an interrupted {@link #answer} left (the run stops, and they ended in it). */
    void answerRest(java.util.function.Consumer<RequestRow> answered) {
        while (!answering.isEmpty()) answered.accept(answering.removeFirst());
    }

    /** The step ended: its refusals, which are handled at once, then its answers (empty when none). */
    List<RequestRow> end(java.util.function.Consumer<RequestRow> refused) {
        stepping = false;
        if (held.isEmpty()) return List.of();
        var answers = new ArrayList<RequestRow>();
        for (var row : held) {
            if (row.completionNanos() >= 0) answers.add(row);
            else refused.accept(row);
        }
        held.clear();
        return answers;
    }
}
