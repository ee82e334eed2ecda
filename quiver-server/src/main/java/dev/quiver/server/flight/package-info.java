/**
 * Feast's remote offline store protocol (Arrow Flight) over a feature repo: training sets computed
 * by the repo's offline engine and streamed back as Arrow record batches (the engine's own batches
 * when it makes them, else its rows converted), saved datasets written and read back, pulls over a
 * file source as materialization reads it, and clear refusals for what does not map onto Quiver. A
 * client that goes away stops the engine's work. Bound into the server's gRPC port.
 */
package dev.quiver.server.flight;
