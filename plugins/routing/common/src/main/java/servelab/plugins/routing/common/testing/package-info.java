/**
 * Plain view values for the routing and admission bundles' tests and benchmarks. Policy code never references this
 * package, so bnd does not copy it into the bundles.
 */
package servelab.plugins.routing.common.testing;
