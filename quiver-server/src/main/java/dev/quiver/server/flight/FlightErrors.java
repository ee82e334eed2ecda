package dev.quiver.server.flight;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.security.AccessDeniedException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;

/**
 * The errors of {@link OfflineProducer}: a failure as a Flight status (a bad request {@code
 * INVALID_ARGUMENT}, an unknown view, feature or dataset {@code NOT_FOUND}, a denial {@code
 * UNAUTHORIZED}, anything else {@code INTERNAL}, the message redacted and never a stack trace), the
 * refusals of the APIs not served, and the metrics outcome of a failure. Stateless.
 */
final class FlightErrors {
  private static final Logger LOG = Logger.getLogger(OfflineProducer.class.getName());

  private FlightErrors() {}

  /** The refusal of Feast's two-step flow ({@code do_get}, {@code get_flight_info}). */
  static FlightRuntimeException legacy(String call) {
    return CallStatus.UNIMPLEMENTED.withDescription(call + " (the two-step flow of Feast before do_exchange) is not served:"
        + " nothing is kept between calls here; upgrade the Feast client (0.50 or newer sends one do_exchange)").toRuntimeException();
  }

  /** The refusal of an API not served, saying what to do instead. */
  static FlightRuntimeException unsupported(String api, String instead) {
    return CallStatus.UNIMPLEMENTED.withDescription("a Quiver server does not serve " + api + " over Feast's offline store"
        + " protocol: " + instead).toRuntimeException();
  }

  /** Reads what the client still sends, so that it sees the error rather than a broken stream. */
  static void drain(FlightStream reader) {
    try {
      while (reader.next()) {
        // discard
      }
    } catch (RuntimeException e) {
      // the client went away or sent garbage: the error answer says what went wrong first
    }
  }

  /** The Flight error the client gets for a failure of {@code api}; an unexpected one is logged. */
  static FlightRuntimeException status(Throwable e, String api) {
    String message = dev.quiver.core.load.Secrets.redact(String.valueOf(e.getMessage()));
    return switch (e) {
      case FlightRuntimeException f -> f;
      case AccessDeniedException d -> CallStatus.UNAUTHORIZED.withDescription(message).toRuntimeException();
      case NotFoundException n -> CallStatus.NOT_FOUND.withDescription(message).toRuntimeException();
      case InvalidRequestException i -> CallStatus.INVALID_ARGUMENT.withDescription(message).toRuntimeException();
      case dev.quiver.core.ConflictException c -> CallStatus.ALREADY_EXISTS.withDescription(message).toRuntimeException();
      case dev.quiver.core.DefinitionException d -> CallStatus.INVALID_ARGUMENT.withDescription(message).toRuntimeException();
      case QuiverException q -> CallStatus.INTERNAL.withDescription(message).toRuntimeException();
      default -> {
        LOG.log(Level.SEVERE, api + " over Arrow Flight failed unexpectedly", e);
        yield CallStatus.INTERNAL.withDescription("the server failed to answer " + api + ": " + e).toRuntimeException();
      }
    };
  }

  /** The metrics outcome of a failure: {@code client_error} or {@code server_error}. */
  static String outcome(Throwable e) {
    return e instanceof InvalidRequestException || e instanceof NotFoundException || e instanceof AccessDeniedException
        || e instanceof dev.quiver.core.DefinitionException || e instanceof dev.quiver.core.ConflictException
        || (e instanceof FlightRuntimeException f && f.status().code() != org.apache.arrow.flight.FlightStatusCode.INTERNAL)
        ? "client_error" : "server_error";
  }
}
