/** The named seed derivations every seeded stream uses ({@link servelab.common.seed.Seeds}). */
package servelab.common.seed;
