package dev.quiver.cli.doctest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** JSON blocks: one complete JSON value each (a request or response body as the page shows it). */
final class JsonBlocks {
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private JsonBlocks() {}

  static void check(DocBlock block) {
    try {
      JSON.readTree(block.text());
    } catch (JacksonException e) {
      throw new AssertionError(block.where() + ": not valid JSON: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (block line " + e.getLocation().getLineNr() + ")"));
    }
  }
}
