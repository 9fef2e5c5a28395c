/**
 * Speculative decoding: proposers of draft tokens, verified by the target model in the next step.
 *
 * {@snippet :
 * Speculator none = (decoding, ctx) -> List.of();
 * }
 */
@Version("1.1.0")
package servelab.api.spec;

import org.osgi.annotation.versioning.Version;
