package tlslab.mitm;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** One {@link MitmLog} entry as one line on the attacker's terminal. */
public final class LogFormatter {
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  private LogFormatter() {}

  /** The terminal line for {@code e}, or null for an entry not worth a line (none today). */
  public static String format(MitmLog.Entry e) {
    String head = CLOCK.format(e.time()) + " #" + e.connection() + " ";
    String from = e.string("from").orElse("");
    String arrow =
        "victim".equals(from) ? "victim → server" : "server".equals(from) ? "server → victim" : "";
    switch (e.kind()) {
      case "start":
        return head
            + "listening on "
            + e.string("listen").orElse("?")
            + ", relaying to "
            + e.string("upstream").orElse("?")
            + " ("
            + e.string("mode").orElse("?")
            + e.string("tamper").map(t -> ": " + t).orElse("")
            + ")";
      case "accept":
        return head + "victim connected from " + e.string("victim").orElse("?");
      case "handshake":
        return head
            + e.string("leg").orElse("?")
            + " leg: "
            + e.string("protocol").orElse("?")
            + " "
            + e.string("cipher_suite").orElse("?")
            + ("upstream".equals(e.string("leg").orElse(""))
                ? e.flag("verified")
                    ? ", real server's certificate verified"
                    : ", real server NOT verified"
                : ", victim accepted the attacker's certificate");
      case "line":
        if (e.flag("partial") || e.flag("too_long")) {
          return head + arrow + "  " + e.string("note").orElse("");
        }
        return head
            + arrow
            + "  "
            + e.string("text").orElse("")
            + (e.flag("undelivered") ? "   (not delivered: the victim had closed)" : "");
      case "alert":
        return head
            + ("victim".equals(from) ? "victim" : "server")
            + " sent alert "
            + e.string("level").orElse("fatal")
            + " "
            + e.string("description").orElse("?")
            + ("jsse".equals(e.string("source").orElse("")) ? " (encrypted; named by JSSE)" : "");
      case "refused":
        return head + e.string("leg").orElse("?") + " leg failed: " + e.string("reason").orElse("");
      case "record":
        return head + arrow + "  " + record(e);
      case "edit":
        if (!e.flag("changed")) {
          return head
              + "tamper "
              + e.string("mode").orElse("")
              + ": "
              + e.string("problem").orElse("nothing changed");
        }
        return head
            + "tamper "
            + e.string("mode").orElse("")
            + ": "
            + e.string("field").orElse("")
            + " "
            + shorten(e.list("before"))
            + " → "
            + shorten(e.list("after"))
            + (e.list("removed_extensions").isEmpty()
                ? ""
                : "; removed " + String.join(", ", e.list("removed_extensions")));
      case "server_hello":
        return head
            + "Server Hello: "
            + e.string("version").orElse("?")
            + ", "
            + e.string("cipher_suite").orElse("?")
            + e.string("downgrade_sentinel").map(s -> ", random ends with " + s).orElse("");
      case "closed":
        return head + "closed" + e.string("cause").map(c -> " (" + c + ")").orElse("");
      default:
        return head + e;
    }
  }

  private static String record(MitmLog.Entry e) {
    if (e.flag("truncated")) {
      return "an unfinished record of " + e.number("length") + " bytes at the end of the stream";
    }
    if (e.string("error").isPresent()) {
      return "read failed: " + e.string("error").get();
    }
    StringBuilder b =
        new StringBuilder()
            .append(e.string("content_type").orElse("?"))
            .append(' ')
            .append(e.string("version").orElse(""))
            .append(", ")
            .append(e.number("length"))
            .append(" bytes");
    if (e.flag("encrypted")) {
      b.append(", encrypted: unreadable without the keys");
    } else if (!e.list("messages").isEmpty()) {
      b.append(": ").append(String.join(", ", e.list("messages")));
    } else if (e.string("description").isPresent()) {
      b.append(": ")
          .append(e.string("level").orElse(""))
          .append(' ')
          .append(e.string("description").get());
    }
    return b.toString();
  }

  private static String shorten(List<String> values) {
    if (values.size() <= 4) {
      return values.toString();
    }
    return "[" + values.size() + " values: " + String.join(", ", values.subList(0, 3)) + ", …]";
  }
}
