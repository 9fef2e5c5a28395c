/**
 * Primitive collections for the hot paths of the engine, the plugins and the trace statistics: open-addressing
 * maps and a set keyed by {@code long} ({@link servelab.common.collect.LongIntMap} and the two built on it) and an
 * int recency list ({@link servelab.common.collect.IntLruList}). No boxing, no allocation per operation; none is
 * iterated in hash order, so results never depend on their layout. Inlined into each bundle that uses them
 * ({@code -conditionalpackage} in its {@code bnd.bnd}).
 */
package servelab.common.collect;
