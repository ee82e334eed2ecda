package dev.quiver.cli.doctest;

import java.nio.file.Path;
import java.util.List;

/**
 * A Markdown page's code blocks and the scratch repo its examples start from.
 *
 * @param file the page
 * @param repo {@code none} (an empty folder) or {@code tour} (the tour's repo, see {@link TourRepo})
 * @param blocks the fenced code blocks, in page order
 */
record DocPage(Path file, String repo, List<DocBlock> blocks) {
  DocPage {
    blocks = List.copyOf(blocks);
  }
}
