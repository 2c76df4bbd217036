package org.dmaemu.node.check;

import java.io.IOException;
import java.nio.file.Path;

/** A file the check reads is not what it should be; the message names the file, what is wrong and where. */
public final class FileFormatException extends IOException {
  private static final long serialVersionUID = 1L;
  private final long byteOffset;

  FileFormatException(Path file, long byteOffset, String what) {
    super(file + ": " + what + (byteOffset >= 0 ? " (at byte " + byteOffset + ")" : ""));
    this.byteOffset = byteOffset;
  }

  /** Where in the file the problem is, or -1 when it is not at one place. */
  public long byteOffset() {
    return byteOffset;
  }
}
