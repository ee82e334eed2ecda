package dev.quiver.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.online.OnlineResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The JSON of request and answer bodies: a request body parsed strictly (one object, nothing after
 * it), an online read's answer written through a per-thread buffer, a tree written as bytes.
 * Thread-safe.
 */
final class JsonBodies {
  private static final int MAX_KEPT_BUFFER = 1 << 20;
  private static final ThreadLocal<ByteArrayOutputStream> RESPONSE_BUFFER =
      ThreadLocal.withInitial(() -> new ByteArrayOutputStream(16 * 1024));

  private final ObjectMapper mapper;

  JsonBodies(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  ObjectMapper mapper() {
    return mapper;
  }

  /** The request body's JSON; an {@link InvalidRequestException} when it is empty or malformed. */
  JsonNode read(ByteBuf body) {
    if (body == null || !body.isReadable()) {
      throw new InvalidRequestException("the request body is empty; send a JSON object");
    }
    try (InputStream in = new ByteBufInputStream(body.duplicate()); JsonParser p = mapper.createParser(in)) {
      JsonNode n = mapper.readTree(p);
      if (n == null || n.isMissingNode()) {
        throw new InvalidRequestException("the request body is empty; send a JSON object");
      }
      if (p.nextToken() != null) {
        throw new InvalidRequestException("malformed JSON: unexpected content after the JSON object");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException("malformed JSON: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The 200 answer of an online read, in Feast's JSON. */
  HttpReply online(OnlineResponse r, boolean viewMetadata) {
    // one buffer per thread, reused: only the answer's exact bytes are allocated per request
    ByteArrayOutputStream out = RESPONSE_BUFFER.get();
    out.reset();
    try (JsonGenerator g = mapper.createGenerator(out)) {
      FeastJson.writeResponse(r, viewMetadata, g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] body = out.toByteArray();
    if (out.size() > MAX_KEPT_BUFFER) {
      RESPONSE_BUFFER.remove(); // do not keep a huge answer's buffer per thread
    }
    return HttpReply.json(200, body);
  }

  byte[] bytes(JsonNode n) {
    try {
      return mapper.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
