package servelab.api.spec;

import org.osgi.annotation.versioning.ProviderType;

import servelab.api.Clock;
import servelab.api.sched.SeqView;

/** What a proposer may read: the clock and a sequence's tokens so far (prompt then output). */
@ProviderType
public interface SpecContext {
    Clock clock();

    /** Token {@code index} of {@code seq} (0 ≤ index &lt; prompt + output tokens). */
    int token(SeqView seq, int index);
}
