/**
 * The monitoring report ({@code quiver monitor report}, docs/monitoring.md): what it shows as records
 * ({@link dev.quiver.core.monitor.report.Report}, {@link dev.quiver.core.monitor.report.Histogram}) and
 * one self-contained HTML page written from them ({@link dev.quiver.core.monitor.report.ReportHtml}):
 * inline CSS and inline SVG charts drawn here, no script and nothing fetched. Every text that comes
 * from data (names, category values, labels) is escaped. No engine, file or network here.
 */
package dev.quiver.core.monitor.report;
