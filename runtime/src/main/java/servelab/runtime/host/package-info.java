/**
 * The OSGi host: the embedded Apache Felix framework, plugin deployment from a watched directory, the registry
 * that turns plugin services into engine {@link servelab.runtime.engine.PolicySlot slots}, and the loopback
 * control port. The only OSGi-aware code in ServeLab.
 */
package servelab.runtime.host;
