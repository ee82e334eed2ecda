/**
 * Admission to the worker queues: whether a request arriving now is queued for a worker or refused at
 * once, from an estimate of how long it would wait. Shared by the HTTP and gRPC front ends.
 */
package dev.quiver.server.admission;
