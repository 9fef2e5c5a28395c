/** Shared by the router and admission bundles, each of which inlines this package (bnd -conditionalpackage). */
package servelab.plugins.routing.common;
