package servelab.api.spec;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

import servelab.api.sched.SeqView;

/** Proposes draft tokens for decoding sequences; the batcher turns a draft of k tokens into a verification of k + 1. */
@ConsumerType
@FunctionalInterface
public interface Speculator {
    /** Drafts for some of {@code decoding} (none for a sequence means a plain decode). */
    List<Draft> propose(List<SeqView> decoding, SpecContext ctx);
}
