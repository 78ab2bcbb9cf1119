package tlslab.capture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import tlslab.common.LabException;

/**
 * The lines of an NSS key log (SSLKEYLOGFILE format) that belong in a pcapng Decryption Secrets
 * Block: {@code LABEL <client random hex> <secret hex>}, for the labels Wireshark reads. Comments,
 * blank and malformed lines are left out (and counted), so the block holds nothing but secrets.
 *
 * @param text the kept lines, each ending in a newline
 * @param lines how many lines were kept
 * @param ignored how many non-empty, non-comment lines were left out
 */
record KeyLogLines(String text, int lines, int ignored) {
  private static final Pattern LINE =
      Pattern.compile(
          "(CLIENT_RANDOM|CLIENT_EARLY_TRAFFIC_SECRET|CLIENT_HANDSHAKE_TRAFFIC_SECRET"
              + "|SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_\\d+"
              + "|SERVER_TRAFFIC_SECRET_\\d+|EARLY_EXPORTER_SECRET|EXPORTER_SECRET|RSA)"
              + " [0-9a-fA-F]{16,} [0-9a-fA-F]{16,}");

  /** Reads {@code file}; a missing file gives no lines (the peers may never have written it). */
  static KeyLogLines read(Path file) {
    String all;
    try {
      all = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new KeyLogLines("", 0, 0);
    } catch (IOException e) {
      throw LabException.badInput(file + ": cannot read the key log (" + e.getMessage() + ")");
    }
    return of(all);
  }

  static KeyLogLines of(String all) {
    StringBuilder kept = new StringBuilder();
    int lines = 0;
    int ignored = 0;
    for (String l : all.split("\r?\n")) {
      String t = l.strip();
      if (t.isEmpty() || t.startsWith("#")) continue;
      if (LINE.matcher(t).matches()) {
        kept.append(t).append('\n');
        lines++;
      } else {
        ignored++;
      }
    }
    return new KeyLogLines(kept.toString(), lines, ignored);
  }
}
