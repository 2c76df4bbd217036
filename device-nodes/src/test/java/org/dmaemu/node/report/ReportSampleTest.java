package org.dmaemu.node.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Writes target/sample-report.html, to look at and to feed scripts/check-report.sh. */
class ReportSampleTest {

  @Test
  @DisplayName("§7 report.html: a sample page with every block type is written")
  void writesSample() throws Exception {
    Path file = Path.of("target", "sample-report.html");
    ReportPage.write(file, ReportSamples.full());
    assertTrue(Files.size(file) > 10_000);
  }
}
