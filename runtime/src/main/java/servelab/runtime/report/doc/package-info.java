/**
 * Report pages: a {@link servelab.runtime.report.doc.Document} of headings, paragraphs, tables and images,
 * written as Markdown and as one HTML page from the same blocks, so the two never disagree.
 */
package servelab.runtime.report.doc;
