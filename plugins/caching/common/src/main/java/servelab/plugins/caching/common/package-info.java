/** Data structures the caching plugins and the engine's host tier share; inlined into each caching bundle. */
package servelab.plugins.caching.common;
