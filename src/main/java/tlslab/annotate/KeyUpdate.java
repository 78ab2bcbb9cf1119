package tlslab.annotate;

/**
 * One TLS 1.3 Key Update read on a connection (RFC 8446 §4.6.3), and how it links to the other
 * side's: {@code update_requested} (1) asks the peer to update its own sending keys too, which it
 * must do with a Key Update of its own before its next application data.
 *
 * <pre>
 * enum { update_not_requested(0), update_requested(1), (255) } KeyUpdateRequest;
 * struct { KeyUpdateRequest request_update; } KeyUpdate;
 * </pre>
 *
 * @param sender who sent it
 * @param frame the frame that carried it
 * @param requestUpdate its request_update byte (0, 1, or another value a peer must reject), -1 when
 *     the message is empty
 * @param answersFrame the frame of the peer's {@code update_requested} Key Update that this one is
 *     the first to follow (its answer), -1 when no request of the peer was waiting
 * @param answeredFrame for a request: the frame of the peer's first Key Update after it (its
 *     answer), -1 while none was read; for update_not_requested always -1
 */
public record KeyUpdate(
    Sender sender, long frame, int requestUpdate, long answersFrame, long answeredFrame) {

  /** Whether it asks the peer to update too. */
  public boolean requested() {
    return requestUpdate == 1;
  }

  /** This request, now answered by the peer's Key Update in {@code frame}. */
  KeyUpdate answeredBy(long frame) {
    return new KeyUpdate(sender, this.frame, requestUpdate, answersFrame, frame);
  }
}
