/**
 * Feast's remote offline store protocol (Arrow Flight) over a feature repo: training sets computed
 * by the repo's offline engine and streamed back as Arrow record batches, saved datasets, and clear
 * refusals for what does not map onto Quiver. Bound into the server's gRPC port.
 */
package dev.quiver.server.flight;
