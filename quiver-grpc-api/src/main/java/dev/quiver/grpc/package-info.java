/**
 * The gRPC wire contract Quiver speaks: Feast's {@code feast.serving.ServingService} and
 * {@code feast.types} messages, declared in this module's own {@code .proto} files with Feast's
 * package, message names and field numbers, so that Feast's gRPC clients work against Quiver's
 * server and Quiver's client against Feast's. The Java classes are generated into
 * {@code dev.quiver.grpc.feast.serving} and {@code dev.quiver.grpc.feast.types}.
 */
package dev.quiver.grpc;
