package tlslab.cli;

import java.nio.file.Path;

/** The lab's installation folder: the launcher passes it as {@code -Dlab.home}. */
final class LabHome {
  private LabHome() {}

  static Path path() {
    String home = System.getProperty("lab.home");
    return home == null ? Path.of("").toAbsolutePath() : Path.of(home);
  }
}
