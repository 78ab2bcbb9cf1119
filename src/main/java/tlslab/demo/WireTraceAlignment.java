package tlslab.demo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import tlslab.annotate.Row;
import tlslab.annotate.Sender;
import tlslab.annotate.TlsMessage;
import tlslab.trace.Direction;
import tlslab.trace.MessageType;
import tlslab.trace.Side;
import tlslab.trace.TraceEvent;

/**
 * Pairs each message of one side's JSSE trace with the captured frame that carried it. Wireshark
 * labels several messages per frame ("Server Hello, Certificate, …") and hides encrypted ones
 * behind "Encrypted Handshake Message" or "Application Data"; walking both in order and matching
 * labels shows a student which message is which on the wire.
 */
final class WireTraceAlignment {
  /** One trace event and the frame it travelled in (0 when no frame matched). */
  record Pair(TraceEvent event, long frame, String wireLabel) {}

  private record Label(long frame, String text, boolean fromServer) {}

  private WireTraceAlignment() {}

  /**
   * The events of {@code side} on trace connection {@code connection}, each with its frame: a
   * message the side sent is looked for among the frames in that direction, in order.
   */
  static List<Pair> align(
      List<Row> rows, int captureConnection, List<TraceEvent> events, Side side, int connection) {
    List<Label> labels = new ArrayList<>();
    for (Row r : rows) {
      if (r.tls && r.connection == captureConnection) {
        for (TlsMessage m : r.messages()) {
          labels.add(new Label(r.number, m.label(), m.sender() == Sender.SERVER));
        }
      }
    }
    List<Pair> pairs = new ArrayList<>();
    int[] next = new int[2]; // per direction: [from client, from server]
    for (TraceEvent e : events) {
      if (e.side() != side || e.connection() != connection) {
        continue;
      }
      boolean fromServer = (side == Side.SERVER) == (e.direction() == Direction.PRODUCED);
      int d = fromServer ? 1 : 0;
      int found = -1;
      for (int i = next[d]; i < labels.size() && found < 0; i++) {
        Label l = labels.get(i);
        if (l.fromServer() == fromServer && matches(e.message(), l.text())) {
          found = i;
        }
      }
      if (found >= 0) {
        pairs.add(new Pair(e, labels.get(found).frame(), labels.get(found).text()));
        next[d] = found + 1;
      } else {
        pairs.add(new Pair(e, 0, ""));
      }
    }
    return pairs;
  }

  /** The first trace connection seen on {@code side}, by time: the demo's first client. */
  static Optional<Integer> firstConnection(List<TraceEvent> events, Side side) {
    return events.stream()
        .filter(e -> e.side() == side)
        .min(Comparator.comparing(TraceEvent::time))
        .map(TraceEvent::connection);
  }

  static boolean matches(MessageType m, String wire) {
    if (wire.equals(m.label())) {
      return true;
    }
    switch (m) {
      case FINISHED:
        // RFC 5246 §7.4.9: the first message under the new keys; Wireshark cannot read it.
        return wire.equals("Encrypted Handshake Message") || wire.equals("Application Data");
      case ENCRYPTED_EXTENSIONS:
      case CERTIFICATE:
      case CERTIFICATE_REQUEST:
      case CERTIFICATE_VERIFY:
      case NEW_SESSION_TICKET:
      case KEY_UPDATE:
        // TLS 1.3 (RFC 8446 §5.2) wraps these in records of type application_data.
        return wire.equals("Application Data") || wire.equals("Encrypted Handshake Message");
      case ALERT:
        return wire.equals("Encrypted Alert") || wire.startsWith("Alert");
      default:
        return false;
    }
  }
}
