package tlslab.annotate;

import tlslab.wire.ClientHello;
import tlslab.wire.ContentType;
import tlslab.wire.HandshakeMessages;
import tlslab.wire.HandshakeType;
import tlslab.wire.ProtocolVersion;
import tlslab.wire.ServerHello;
import tlslab.wire.TlsRecordHeader;

/**
 * Labels TLS records the way Wireshark 4.0's TLS dissector does on its single pass: one call per
 * reassembled TCP "PDU" or fresh segment, records appended to the Info column with ", ", the
 * Protocol column from the session version, "need more bytes" reported back to the TCP layer.
 *
 * <p>The rules mirror packet-tls.c (dissect_ssl, dissect_ssl3_record, dissect_tls_handshake) so
 * that labels are identical, including the quirks: a record that the snaplen cut short is "[Packet
 * size limited during capture]" without a label; garbage after a lost segment is "Ignored Unknown
 * Record" (TLS 1.0-1.2) or "Continuation Data"; a handshake record is "Encrypted Handshake Message"
 * when it follows the sender's ChangeCipherSpec in an earlier frame, starts with an explicit GCM
 * nonce of zeros, or does not parse as a handshake header.
 */
final class TlsDissector {
  static final int ONE_MORE = -1;

  /** Per-frame output shared by all dissector calls for that frame. */
  static final class FrameCtx {
    long frameNo;
    final StringBuilder info = new StringBuilder();
    String protocol;
    boolean protocolWritable;
    boolean stopped; // an exception ended dissection of this frame
    boolean explain;
    Row row;

    /**
     * col_append_sep_str(", "): {@link #info} is the column after what TCP wrote there, which is
     * taken as not empty, so every label is appended with its separator; {@link #labels} drops the
     * first one where the column was empty after all.
     */
    void append(String label) {
      info.append(", ").append(label);
    }

    /** The Info text, as it reads after {@code before} (empty or not) in the column. */
    String labels(boolean columnEmpty) {
      return columnEmpty && info.indexOf(", ") == 0 ? info.substring(2) : info.toString();
    }

    // Wireshark's column calls, as the dissectors above TLS (HTTP, HTTP/2) make them: "set" and
    // "clear" only touch what follows the fence; an appended separator is added when the column
    // is not empty.
    /** Where the Info column's fence stands: text before it is kept by set and clear. */
    int fence;

    /** col_set_str / col_add_fstr on the Info column. */
    void setInfo(String s) {
      info.setLength(fence);
      info.append(s);
    }

    /** col_clear on the Info column. */
    void clearInfo() {
      info.setLength(fence);
    }

    /** col_append_sep_str on the Info column (the column is taken as not empty, see append). */
    void appendInfo(String sep, String s) {
      if (sep != null) info.append(sep);
      info.append(s);
    }

    /** A note for "[TLS segment of a reassembled PDU]", said only if the row ends up showing it. */
    String segmentNoteKey;

    String segmentNote;

    void segmentNote(String key, String note) {
      segmentNoteKey = key;
      segmentNote = note;
    }

    /** col_set_fence on the Info column. */
    void fenceInfo() {
      fence = info.length();
    }

    /** col_set_str on the Protocol column. */
    void setProtocol(String p) {
      if (protocolWritable) protocol = p;
    }

    /** col_append_sep_str on the Protocol column ("HTTP/JSON"). */
    void appendProtocol(String sep, String p) {
      if (protocolWritable) protocol = protocol == null ? p : protocol + sep + p;
    }

    void reset(long frameNo, Row row, boolean explain) {
      this.frameNo = frameNo;
      info.setLength(0);
      fence = 0;
      segmentNote = null;
      segmentNoteKey = null;
      protocol = null;
      protocolWritable = true;
      stopped = false;
      this.row = row;
      this.explain = explain;
      recOpen = false;
      pendingRange = null;
      streamBuf = null;
      plainBuf = null;
    }

    // --- the message model (TlsRecord / TlsMessage) of this frame ---
    /** Fields with byte ranges are collected (JSON, notes); records and labels always. */
    boolean fields;

    /** The student report's corrections are added (the lab's own captures). */
    boolean report;

    /** Decrypted payloads are shown in full, not bounded. */
    boolean allBytes;

    /** The frame's bytes, and a reassembled PDU with its first byte's relative sequence number. */
    byte[] frameBuf;

    int frameOffset;

    byte[] streamBuf;
    long streamOrigin;
    private byte[] plainBuf;
    private boolean recOpen;
    private int recType;
    private int recVersion;
    private boolean recServer;
    private ByteRange recRange;
    private boolean recDecrypted;
    private final java.util.List<TlsMessage> recMessages = new java.util.ArrayList<>();
    private ByteRange pendingRange;
    private byte[] pendingBytes;

    ByteRange rangeOf(byte[] buf, long p, int n) {
      if (buf == frameBuf) return new ByteRange(ByteRange.Space.FRAME, p - frameOffset, n);
      if (buf == streamBuf) return new ByteRange(ByteRange.Space.STREAM, streamOrigin + p, n);
      if (buf == plainBuf) return new ByteRange(ByteRange.Space.DECRYPTED, p, n);
      return new ByteRange(ByteRange.Space.HANDSHAKE, p, n);
    }

    void beginRecord(int ct, int rv, boolean fromServer, byte[] buf, int p, int n) {
      endRecord();
      recOpen = true;
      recType = ct;
      recVersion = rv;
      recServer = fromServer;
      recRange = rangeOf(buf, p, n);
      recDecrypted = false;
      plainBuf = null;
    }

    void decryptedRecord(int innerType, byte[] plain) {
      recDecrypted = true;
      recType = innerType;
      plainBuf = plain;
    }

    int recordVersion() {
      return recOpen ? recVersion : -1;
    }

    /** The byte range of the next message. */
    void range(byte[] buf, int p, int n) {
      pendingRange = rangeOf(buf, p, n);
      // Outside the frame (reassembled, decrypted) a byte view needs a copy of the bytes.
      pendingBytes =
          fields && buf != frameBuf && p >= 0 && n >= 0 && p + n <= buf.length
              ? java.util.Arrays.copyOfRange(buf, p, p + n)
              : null;
    }

    void message(
        String label,
        TlsMessage.Kind kind,
        int handshakeType,
        boolean fromServer,
        java.util.List<Field> f,
        String note) {
      message(label, kind, handshakeType, fromServer, f, note, java.util.List.of());
    }

    void message(
        String label,
        TlsMessage.Kind kind,
        int handshakeType,
        boolean fromServer,
        java.util.List<Field> f,
        String note,
        java.util.List<Correction> corrections) {
      if (!recOpen) {
        // Bytes outside any record (continuation data, SSLv2): a record of unknown type.
        recOpen = true;
        recType = -1;
        recVersion = -1;
        recServer = fromServer;
        recRange = pendingRange != null ? pendingRange : new ByteRange(ByteRange.Space.FRAME, 0, 0);
        recDecrypted = false;
      }
      ByteRange r = pendingRange != null ? pendingRange : recRange;
      byte[] bytes = pendingRange != null ? pendingBytes : null;
      pendingRange = null;
      pendingBytes = null;
      recMessages.add(
          new TlsMessage(
              label,
              kind,
              handshakeType,
              fromServer ? Sender.SERVER : Sender.CLIENT,
              r,
              f == null ? java.util.List.of() : f,
              note,
              corrections,
              bytes));
    }

    void endRecord() {
      if (!recOpen) return;
      recOpen = false;
      row.records.add(
          new TlsRecord(
              recType,
              recVersion,
              recServer ? Sender.SERVER : Sender.CLIENT,
              recRange,
              recDecrypted,
              recMessages));
      recMessages.clear();
    }
  }

  /** Result of one dissector call: bytes dissected and, if more are needed, how many. */
  int desegOffset;

  int desegLen;
  boolean needMore;

  private final Explanations explanations = new Explanations();

  /**
   * Dissects {@code buf[off .. off+reported)} of which {@code captured} bytes are present. Returns
   * false if the payload does not look like TLS at all (four printable characters).
   */
  boolean dissect(
      Connection c,
      Connection.Side side,
      byte[] buf,
      int off,
      int captured,
      int reported,
      boolean canDesegment,
      FrameCtx fx) {
    needMore = false;
    desegOffset = 0;
    desegLen = 0;
    if (captured > 4
        && printable(buf[off])
        && printable(buf[off + 1])
        && printable(buf[off + 2])
        && printable(buf[off + 3])) {
      return false;
    }
    setProtocol(fx, c.version >= 0 ? ProtocolVersion.labelOf(c.version) : "SSL");
    int end = off + reported;
    int capEnd = off + captured;
    int p = off;
    while (p < end && !fx.stopped) {
      if (end - p < 5) {
        if (canDesegment) {
          requestMore(p - off, ONE_MORE);
          return true;
        }
        break;
      }
      int v = c.version;
      boolean known12 = v == 0x0300 || v == 0x0301 || v == 0x0302 || v == 0x0303;
      if (v == 0x0002) {
        // The conversation is SSL 2.0 (a server spoke it): every record is an SSL 2.0 record.
        p = ssl2Record(c, side, buf, p, end, capEnd, canDesegment, off, fx);
        if (needMore) return true;
        continue;
      }
      if (known12 && p + 3 <= capEnd && (buf[p] & 0xff) == 0x80 && buf[p + 2] == 1) {
        // ssl_is_v2_client_hello: an SSL 2.0-compatible Client Hello in a known TLS session.
        p = ssl2Record(c, side, buf, p, end, capEnd, canDesegment, off, fx);
        if (needMore) return true;
        continue;
      }
      if (!known12) {
        // Unknown version or TLS 1.3: per-record heuristics (dissect_ssl's default branch).
        if (p + 3 > capEnd) {
          exception(fx);
          break;
        }
        if ((buf[p] & 0x80) != 0 && looksLikeSsl2(buf, p, capEnd)) {
          p = ssl2Record(c, side, buf, p, end, capEnd, canDesegment, off, fx);
          if (needMore) return true;
          continue;
        }
        int ct = buf[p] & 0xff;
        int rv = ((buf[p + 1] & 0xff) << 8) | (buf[p + 2] & 0xff);
        if (!ContentType.isValid(ct) || rv < 0x0300 || rv > 0x0303) {
          fx.append("Continuation Data");
          other(c, side, fx, "Continuation Data", buf, p, end - p);
          p = end;
          break;
        }
      }
      p = record(c, side, buf, off, p, end, capEnd, canDesegment, fx);
      if (needMore) return true;
    }
    return true;
  }

  private int record(
      Connection c,
      Connection.Side side,
      byte[] buf,
      int base,
      int p,
      int end,
      int capEnd,
      boolean canDesegment,
      FrameCtx fx) {
    int avail = end - p;
    int v = c.version;
    if ((v == 0x0301 || v == 0x0302 || v == 0x0303) && avail >= 1) {
      if (p >= capEnd) {
        exception(fx);
        return end;
      }
      if (!ContentType.isValid(buf[p] & 0xff)) {
        fx.append("Ignored Unknown Record");
        other(c, side, fx, "Ignored Unknown Record", buf, p, end - p);
        return end;
      }
    }
    if (avail < 5) {
      if (canDesegment) requestMore(p - base, ONE_MORE);
      return end;
    }
    if (p + 5 > capEnd) {
      exception(fx);
      return end;
    }
    int ct = buf[p] & 0xff;
    int rv = ((buf[p + 1] & 0xff) << 8) | (buf[p + 2] & 0xff);
    int len = ((buf[p + 3] & 0xff) << 8) | (buf[p + 4] & 0xff);
    if (ContentType.isValid(ct)) {
      if (avail < len + 5) {
        if (canDesegment) requestMore(p - base, len + 5 - avail);
        return end;
      }
    } else {
      fx.append("Continuation Data");
      other(c, side, fx, "Continuation Data", buf, p, Math.min(end - p, 5 + len));
      return p + 5 + len;
    }
    int body = p + 5;
    int bodyEnd = body + len;
    int version;
    if (c.version < 0) {
      if (body >= capEnd) {
        exception(fx);
        return end;
      }
      trySetVersion(c, ct, buf[body] & 0xff, rv);
      setProtocol(fx, ProtocolVersion.labelOf(rv));
      version = rv;
    } else {
      version = c.version;
    }
    boolean fromServer = c.isServer(side);
    fx.beginRecord(ct, rv, fromServer, buf, p, 5 + len);
    // Wireshark's first pass tries to decrypt every record (except TLS 1.3 plaintext records);
    // that reads the record's last bytes, so a record cut by the snaplen ends the frame here.
    boolean decryptAttempt = len > 0 && (c.version != 0x0304 || ct == 23);
    if (decryptAttempt && bodyEnd > capEnd) {
      exception(fx);
      return end;
    }
    Decryption.Plain plain = null;
    if (decryptAttempt && c.decryption != null) {
      plain = c.decryption.decrypt(fromServer, ct, rv, buf, body, len);
    }
    if (plain != null) {
      if (c.version == 0x0304) ct = plain.type;
      decrypted(c, side, fromServer, ct, plain, version, fx);
      return bodyEnd;
    }
    switch (ct) {
      case 20 -> {
        fx.append("Change Cipher Spec");
        if (fromServer
            && c.negotiatedVersion != 0x0304
            && !c.sawServerHelloDone
            && !c.sawCertificate) {
          if (c.negotiatedVersion >= 0)
            c.mode = tlslab.wire.HandshakeMode.resumedTls12(c.ticketOffered, c.sessionIdEchoed);
        }
        note(c, fromServer, fx, TlsMessage.Kind.CHANGE_CIPHER_SPEC, "Change Cipher Spec", null);
        if (fromServer) c.serverCcs = true;
        else c.clientCcs = true;
        if (c.wiresharkFromServer(side)) c.ccsFrameServer = fx.frameNo;
        else c.ccsFrameClient = fx.frameNo;
        if (c.version != 0x0304 && c.decryption != null) c.decryption.changeCipherSpec(fromServer);
        if (fromServer
            && c.negotiatedVersion != 0x0304
            && !c.sawServerHelloDone
            && !c.sawCertificate) {
          c.resumed = true;
        }
      }
      case 21 -> {
        if (len != 2) {
          fx.append("Encrypted Alert");
          note(c, fromServer, fx, TlsMessage.Kind.ENCRYPTED_ALERT, "Encrypted Alert", null);
          c.alertList.add(new TlsAlert(sender(fromServer), fx.frameNo, -1, -1));
        } else {
          String l = TlsRecordHeader.alertLabel(buf[body] & 0xff, buf[body + 1] & 0xff);
          fx.append(l);
          int[] ad = {buf[body] & 0xff, buf[body + 1] & 0xff};
          note(c, fromServer, fx, TlsMessage.Kind.ALERT, l, ad);
          c.alertList.add(new TlsAlert(sender(fromServer), fx.frameNo, ad[0], ad[1]));
        }
      }
      case 22 ->
          handshakeRecord(c, side, fromServer, buf, body, bodyEnd, capEnd, version, true, fx);
      case 23 -> {
        fx.append("Application Data");
        note(
            c,
            fromServer,
            fx,
            TlsMessage.Kind.APPLICATION_DATA,
            "Application Data",
            tls13Hint(c, side, fromServer));
        countApplicationData(c, fromServer);
      }
      case 24 -> {
        String l = "Encrypted Heartbeat";
        if (len >= 3 && body + 3 <= capEnd) {
          int type = buf[body] & 0xff;
          int plen = ((buf[body + 1] & 0xff) << 8) | (buf[body + 2] & 0xff);
          boolean clear = len <= 19 || 3 + plen + 16 <= len;
          if (clear && (type == 1 || type == 2)) {
            l = type == 1 ? "Heartbeat Request" : "Heartbeat Response";
          }
        }
        fx.append(l);
        note(c, fromServer, fx, TlsMessage.Kind.HEARTBEAT, l, null);
      }
      case 25 -> {
        // RFC 9146 tls12_cid: Wireshark shows the record in the tree but adds nothing to Info.
        // Over TLS it only ever meets one by chance, in ciphertext after a lost segment.
      }
      default -> {
        // not reachable: ContentType.isValid checked above
      }
    }
    return bodyEnd;
  }

  private void decrypted(
      Connection c,
      Connection.Side side,
      boolean fromServer,
      int ct,
      Decryption.Plain plain,
      int version,
      FrameCtx fx) {
    byte[] d = plain.data;
    fx.decryptedRecord(ct, d);
    switch (ct) {
      case 21 -> {
        String l =
            d.length == 2
                ? TlsRecordHeader.alertLabel(d[0] & 0xff, d[1] & 0xff)
                : "Encrypted Alert";
        fx.append(l);
        int[] ad = d.length == 2 ? new int[] {d[0] & 0xff, d[1] & 0xff} : null;
        note(
            c,
            fromServer,
            fx,
            ad != null ? TlsMessage.Kind.ALERT : TlsMessage.Kind.ENCRYPTED_ALERT,
            l,
            ad);
        c.alertList.add(
            new TlsAlert(
                sender(fromServer), fx.frameNo, ad == null ? -1 : ad[0], ad == null ? -1 : ad[1]));
      }
      case 22 -> handshakeRecord(c, side, fromServer, d, 0, d.length, d.length, version, false, fx);
      case 23 -> {
        fx.append("Application Data");
        note(c, fromServer, fx, TlsMessage.Kind.APPLICATION_DATA, "Application Data", null);
        countApplicationData(c, fromServer);
        Payload shown = Payloads.decode(c, fromServer, d, fx.allBytes);
        fx.row.payloads.add(shown);
        HttpLabels.record(c, fromServer, d, shown, fx);
      }
      case 20 -> {
        fx.append("Change Cipher Spec");
        note(c, fromServer, fx, TlsMessage.Kind.CHANGE_CIPHER_SPEC, "Change Cipher Spec", null);
        // A renegotiation's Change Cipher Spec travels under the keys before it (RFC 5246 7.1):
        // from the next record on the sender uses the renegotiated keys, as tshark follows.
        if (c.version != 0x0304 && c.decryption != null) c.decryption.changeCipherSpec(fromServer);
      }
      default -> {
        fx.append("Ignored Unknown Record");
        note(c, fromServer, fx, TlsMessage.Kind.OTHER, "Ignored Unknown Record", null);
      }
    }
  }

  private static void countApplicationData(Connection c, boolean fromServer) {
    if (fromServer) c.serverAppData++;
    else c.clientAppData++;
  }

  /**
   * Without keys, what a TLS 1.3 "Application Data" record most likely is (RFC 8446 section 2): the
   * server's first encrypted flight is its handshake, the client's first record its Finished.
   */
  private static String tls13Hint(Connection c, Connection.Side side, boolean fromServer) {
    if (c.negotiatedVersion != 0x0304) return null;
    int n = ++side.appDataRecords;
    // A decrypted Finished ends that side's handshake flight: an undecrypted record after it is
    // not the handshake (a record that failed to decrypt, say after a Key Update).
    if (fromServer && !c.clientSentEncrypted && !c.serverFinished) {
      return "tls13-server-handshake";
    }
    if (!fromServer && n == 1 && !c.clientFinished) {
      c.clientSentEncrypted = true;
      return "tls13-client-finished";
    }
    return "tls13-other";
  }

  /** dissect_tls_handshake: reassembly across records, the "encrypted" heuristic, messages. */
  private void handshakeRecord(
      Connection c,
      Connection.Side side,
      boolean fromServer,
      byte[] buf,
      int p,
      int end,
      int capEnd,
      int version,
      boolean maybeEncrypted,
      FrameCtx fx) {
    boolean first = true;
    if (side.hsActive) {
      int subset = end - p;
      int msgLen = 0;
      int have = side.hsLen;
      if (have + subset >= 4) {
        int l1 = byteAt(side, buf, p, 1);
        int l2 = byteAt(side, buf, p, 2);
        int l3 = byteAt(side, buf, p, 3);
        msgLen = 4 + ((l1 << 16) | (l2 << 8) | l3);
        if (subset > msgLen - have) subset = msgLen - have;
      }
      if (capEnd < p + subset) {
        side.hsActive = false;
        side.hsLen = 0;
      } else {
        boolean last = have + subset == msgLen;
        side.appendHs(buf, p, subset);
        p += subset;
        if (!last) return; // middle fragment: no label
        side.hsActive = false;
        byte[] msg = java.util.Arrays.copyOf(side.hs, side.hsLen);
        side.hsLen = 0;
        message(c, side, fromServer, msg, 0, msg.length, msg.length, version, true, fx);
        first = false;
      }
    } else if (encryptedLooking(c, buf, p, end, capEnd, maybeEncrypted, side, fx)) {
      // The first one after a side's Change Cipher Spec is its Finished; any later one is a
      // renegotiation's message (RFC 5746), under the keys of the handshake before.
      if (c.negotiatedVersion >= 0
          && c.negotiatedVersion != 0x0304
          && (fromServer ? c.serverCcs : c.clientCcs)) {
        int n = fromServer ? ++c.serverHsAfterCcs : ++c.clientHsAfterCcs;
        if (n > 1 && c.renegotiationFrame < 0) c.renegotiationFrame = fx.frameNo;
      }
      fx.append("Encrypted Handshake Message");
      fx.range(buf, p, end - p);
      String malformed = notEncrypted(c, side, fromServer, buf, p, end);
      if (malformed != null) problem(c, fx, "malformed handshake record: " + malformed);
      note(
          c,
          fromServer,
          fx,
          TlsMessage.Kind.ENCRYPTED_HANDSHAKE,
          "Encrypted Handshake Message",
          malformed);
      return;
    }
    while (p < end && !fx.stopped) {
      int subset = end - p;
      int msgLen = 0;
      if (subset >= 4) {
        if (p + 4 > capEnd) {
          exception(fx);
          return;
        }
        msgLen =
            4 + (((buf[p + 1] & 0xff) << 16) | ((buf[p + 2] & 0xff) << 8) | (buf[p + 3] & 0xff));
      }
      if (msgLen == 0 || subset < msgLen) {
        if (p >= capEnd) {
          exception(fx);
          return;
        }
        int type = buf[p] & 0xff;
        side.hsActive = true;
        side.hsLen = 0;
        side.appendHs(buf, p, Math.min(subset, capEnd - p));
        if (first) {
          String l = "[" + HandshakeType.of(type).label() + " Fragment]";
          fx.append(l);
        }
        return;
      }
      message(c, side, fromServer, buf, p, p + msgLen, capEnd, version, first, fx);
      p += msgLen;
      first = false;
    }
  }

  /**
   * Why a record that Wireshark's heuristic calls an Encrypted Handshake Message cannot be one, or
   * null: the capture holds the connection from its SYN and the sender has sent no Change Cipher
   * Spec, so nothing it sends is encrypted yet (RFC 5246 §7.1; in TLS 1.3, RFC 8446 §5, encrypted
   * handshake messages travel in application_data records, never in a handshake record). A length
   * that lies or a damaged type byte would otherwise pass for encryption, and the real message it
   * hides would be lost without a word.
   */
  private static String notEncrypted(
      Connection c, Connection.Side side, boolean fromServer, byte[] buf, int p, int end) {
    // A gap in the sender's stream may have hidden its Change Cipher Spec: then say nothing.
    if (c.synTime < 0 || side.gap || (fromServer ? c.serverCcs : c.clientCcs)) return null;
    tlslab.wire.HandshakeType t = HandshakeType.of(buf[p] & 0xff);
    if (!t.isKnown())
      return "its first byte, " + (buf[p] & 0xff) + ", is not a handshake message type";
    int l = ((buf[p + 1] & 0xff) << 16) | ((buf[p + 2] & 0xff) << 8) | (buf[p + 3] & 0xff);
    if (4L + l <= end - p) return null; // it fits its record: Wireshark's guess came from elsewhere
    return "its header reads as a "
        + t.label()
        + " of "
        + l
        + " bytes, in a record of "
        + (end - p)
        + " bytes";
  }

  private static int byteAt(Connection.Side side, byte[] buf, int p, int i) {
    return i < side.hsLen ? side.hs[i] & 0xff : buf[p + i - side.hsLen] & 0xff;
  }

  private boolean encryptedLooking(
      Connection c,
      byte[] buf,
      int p,
      int end,
      int capEnd,
      boolean maybeEncrypted,
      Connection.Side side,
      FrameCtx fx) {
    if (end - p < 16) return false;
    if (p + 5 > capEnd) {
      exception(fx);
      return false;
    }
    boolean enc = false;
    if (maybeEncrypted) {
      enc = buf[p] == 0 && buf[p + 1] == 0 && buf[p + 2] == 0 && buf[p + 3] == 0 && buf[p + 4] == 0;
      if (!enc) {
        long ccs = c.wiresharkFromServer(side) ? c.ccsFrameServer : c.ccsFrameClient;
        enc = ccs != 0 && fx.frameNo > ccs;
      }
    }
    if (!enc) {
      enc = !HandshakeType.of(buf[p] & 0xff).isKnown();
      if (!enc) {
        int l = ((buf[p + 1] & 0xff) << 16) | ((buf[p + 2] & 0xff) << 8) | (buf[p + 3] & 0xff);
        enc = l >= 0x10000;
      }
    }
    return enc;
  }

  /** dissect_tls_handshake_full: one complete message at {@code buf[p..end)}. */
  private void message(
      Connection c,
      Connection.Side side,
      boolean fromServer,
      byte[] buf,
      int p,
      int end,
      int capEnd,
      int version,
      boolean first,
      FrameCtx fx) {
    int type = buf[p] & 0xff;
    HandshakeType ht = HandshakeType.of(type);
    if (!ht.isKnown() && !first) return;
    boolean hrr = false;
    int bodyEnd = Math.min(end, capEnd);
    if (first && ht == HandshakeType.SERVER_HELLO && end - p - 4 > 2) {
      ServerHello sh = HandshakeMessages.serverHello(buf, p + 4, bodyEnd).valueOrNull();
      int sv =
          sh != null
              ? sh.version()
              : ((buf[p + 4] & 0xff) << 8) | (p + 5 < capEnd ? buf[p + 5] & 0xff : 0);
      hrr = sh != null && sh.helloRetryRequest();
      int before = c.version;
      trySetVersion(c, 22, 2, sv);
      if (c.version != before && c.version == 0x0304) setProtocolForce(fx, "TLSv1.3");
    }
    String l = hrr ? "Hello Retry Request" : ht.label();
    fx.append(l);
    if (end > capEnd) {
      // Wireshark labels the message, then runs out of captured bytes while parsing it.
      exception(fx);
      return;
    }
    if (ht == HandshakeType.CLIENT_HELLO && c.version < 0) earlyData(c, buf, p + 4, end);
    if (c.decryption != null && ht.isKnown()) c.decryption.handshake(fromServer, buf, p, end - p);
    MessageFacts.record(this, c, side, fromServer, ht, hrr, buf, p + 4, end, fx);
    if (ht == HandshakeType.CERTIFICATE
        && CertificateShape.malformed(buf, p + 4, end, version == 0x0304)) {
      // Wireshark's BER dissector throws inside the certificate: the frame ends here.
      fx.info.append("[Malformed Packet]");
      fx.stopped = true;
      problem(c, fx, "a certificate's DER length runs past its end (Wireshark: Malformed Packet)");
    }
  }

  /**
   * A Client Hello that offers TLS 1.3 and announces early data (RFC 8446 section 4.2.10) is
   * followed by 0-RTT Application Data before any Server Hello: Wireshark takes the session to be
   * TLS 1.3 from here on, so those records are labelled TLSv1.3.
   */
  private static void earlyData(Connection c, byte[] buf, int body, int end) {
    ClientHello ch = HandshakeMessages.clientHello(buf, body, end).valueOrNull();
    if (ch == null || !ch.extensions().contains(42)) return;
    for (int v : ch.supportedVersions()) {
      if (ProtocolVersion.of(v) == ProtocolVersion.TLS_1_3) {
        c.version = 0x0304;
        return;
      }
    }
  }

  private final Explanations.Msg msg = new Explanations.Msg();

  /** Adds one message to the frame's model, with its note when notes are on. */
  void note(
      Connection c, boolean fromServer, FrameCtx fx, TlsMessage.Kind kind, String label, Object d) {
    noteFor(c, fromServer, fx, kind, tlslab.wire.HandshakeType.UNKNOWN, false, label, d, null);
  }

  /** A complete handshake message at {@code buf[msg..end)}, after its facts were recorded. */
  void handshake(
      Connection c,
      FrameCtx fx,
      boolean fromServer,
      tlslab.wire.HandshakeType ht,
      boolean hrr,
      String label,
      Object detail,
      byte[] buf,
      int msgStart,
      int end,
      java.util.List<Field> fields) {
    fx.range(buf, msgStart, end - msgStart);
    java.util.List<Field> f = fields;
    if (fx.fields && f == null) {
      f = new java.util.ArrayList<>();
      HelloFields.header(f, buf, msgStart, end);
      if (end - msgStart > 4)
        f.add(new Field("body", (end - msgStart - 4) + " bytes", 4, end - msgStart - 4));
    }
    noteFor(c, fromServer, fx, TlsMessage.Kind.HANDSHAKE, ht, hrr, label, detail, f);
  }

  private void other(
      Connection c, Connection.Side side, FrameCtx fx, String label, byte[] buf, int p, int n) {
    fx.range(buf, p, Math.max(0, n));
    note(c, c.isServer(side), fx, TlsMessage.Kind.OTHER, label, null);
  }

  private void noteFor(
      Connection c,
      boolean fromServer,
      FrameCtx fx,
      TlsMessage.Kind kind,
      tlslab.wire.HandshakeType ht,
      boolean hrr,
      String label,
      Object detail,
      java.util.List<Field> fields) {
    String note = "";
    if (fx.explain) {
      msg.c = c;
      msg.fromServer = fromServer;
      msg.kind = kind;
      msg.type = ht;
      msg.hrr = hrr;
      msg.label = label;
      msg.detail = detail;
      msg.recordVersion = fx.recordVersion();
      msg.report = fx.report;
      note = explanations.explain(msg);
      if (!note.isEmpty()) fx.row.notes.add(note);
    }
    fx.message(
        label,
        kind,
        ht == tlslab.wire.HandshakeType.UNKNOWN ? -1 : ht.code(),
        fromServer,
        fields,
        note,
        fx.explain ? msg.corrections : java.util.List.of());
  }

  private static Sender sender(boolean fromServer) {
    return fromServer ? Sender.SERVER : Sender.CLIENT;
  }

  void problem(Connection c, FrameCtx fx, String what) {
    String s = "frame " + fx.frameNo + ": " + what;
    c.problems.add(s);
    fx.row.problems.add(what);
  }

  /** ssl_try_set_version: only "authoritative" records (not a Client Hello) set the version. */
  private static void trySetVersion(Connection c, int ct, int nextByte, int version) {
    boolean authoritative =
        (ct == 22 && HandshakeType.of(nextByte).isKnown() && nextByte != 1)
            || (ct != 22 && ContentType.isValid(ct));
    if (!authoritative) return;
    ProtocolVersion pv = ProtocolVersion.of(version);
    if (pv == ProtocolVersion.UNKNOWN || pv == ProtocolVersion.SSL_2) return;
    c.version = pv == ProtocolVersion.TLS_1_3 ? 0x0304 : version;
  }

  private static void setProtocol(FrameCtx fx, String p) {
    if (fx.protocolWritable) fx.protocol = p;
  }

  private static void setProtocolForce(FrameCtx fx, String p) {
    if (fx.protocolWritable || fx.protocol != null) fx.protocol = p;
  }

  private void exception(FrameCtx fx) {
    fx.info.append("[Packet size limited during capture]");
    fx.stopped = true;
  }

  private void requestMore(int offset, int len) {
    needMore = true;
    desegOffset = offset;
    desegLen = len;
  }

  private static boolean printable(byte b) {
    return b >= 0x20 && b < 0x7f;
  }

  private static boolean looksLikeSsl2(byte[] b, int p, int capEnd) {
    if (p + 3 > capEnd) return false;
    int t = b[p + 2] & 0xff;
    return t == 0 || t == 1 || t == 2 || t == 4;
  }

  /**
   * dissect_ssl2_record: an SSL 2.0 record (draft-hickman-netscape-ssl-00 section 1.2; a TLS client
   * sends its Client Hello this way for compatibility, RFC 5246 appendix E.2). A header with the
   * high bit set has a 2-byte length, otherwise 3 bytes (with padding). A message type Wireshark
   * cannot check as a clear handshake message is "Encrypted Data".
   */
  private int ssl2Record(
      Connection c,
      Connection.Side side,
      byte[] buf,
      int p,
      int end,
      int capEnd,
      boolean canDesegment,
      int base,
      FrameCtx fx) {
    int headerLength = (buf[p] & 0x80) != 0 ? 2 : 3;
    if (end - p < headerLength) {
      if (canDesegment) requestMore(p - base, ONE_MORE);
      return end;
    }
    if (p + headerLength > capEnd) {
      exception(fx);
      return end;
    }
    int len =
        headerLength == 2
            ? ((buf[p] & 0x7f) << 8) | (buf[p + 1] & 0xff)
            : ((buf[p] & 0x3f) << 8) | (buf[p + 1] & 0xff);
    if (end - p < len + headerLength) {
      if (canDesegment) requestMore(p - base, len + headerLength - (end - p));
      return end;
    }
    int body = p + headerLength;
    if (body >= capEnd) {
      exception(fx);
      return end;
    }
    int type = buf[body] & 0xff;
    if (c.version < 0 && type >= 2 && type <= 8) c.version = 0x0002;
    setProtocol(fx, "SSLv2");
    String name =
        switch (type) {
          case 0 -> "Error";
          case 1 -> "Client Hello";
          case 2 -> "Client Master Key";
          case 3 -> "Client Finished";
          case 4 -> "Server Hello";
          case 5 -> "Server Verify";
          case 6 -> "Server Finished";
          case 7 -> "Request Certificate";
          case 8 -> "Client Certificate";
          default -> null;
        };
    String l = name != null && validV2Handshake(buf, body, capEnd, len) ? name : "Encrypted Data";
    // A Client Hello in SSL 2.0's record format (RFC 5246 E.2) names the client as a TLS one does.
    if (type == 1 && name != null && l.equals(name) && !c.serverKnown && !c.isServer(side))
      c.sslv2ClientHello = true;
    fx.append(l);
    other(c, side, fx, l, buf, p, Math.min(end - p, headerLength + len));
    return p + headerLength + len;
  }

  /** ssl_looks_like_valid_v2_handshake: the clear messages carry checkable fields. */
  private boolean validV2Handshake(byte[] b, int p, int capEnd, int recordLength) {
    int type = b[p] & 0xff;
    switch (type) {
      case 1 -> {
        if (p + 3 > capEnd) return false;
        return knownVersion(((b[p + 1] & 0xff) << 8) | (b[p + 2] & 0xff));
      }
      case 4 -> {
        if (p + 5 > capEnd) return false;
        return knownVersion(((b[p + 3] & 0xff) << 8) | (b[p + 4] & 0xff));
      }
      case 2 -> {
        if (p + 10 > capEnd) return false;
        int sum =
            (((b[p + 4] & 0xff) << 8) | (b[p + 5] & 0xff))
                + (((b[p + 6] & 0xff) << 8) | (b[p + 7] & 0xff))
                + (((b[p + 8] & 0xff) << 8) | (b[p + 9] & 0xff));
        return sum <= recordLength;
      }
      default -> {
        return false;
      }
    }
  }

  /** Wireshark's ssl_versions table: SSL 2.0 to TLS 1.3, TLS 1.3 drafts, DTLS. */
  private static boolean knownVersion(int v) {
    return v == 0x0002
        || (v >= 0x0300 && v <= 0x0304)
        || (v >= 0x7f0e && v <= 0x7f1c)
        || v == 0xfb17
        || v == 0xfb1a
        || v == 0x0100
        || v == 0xfeff
        || v == 0xfefd
        || v == 0xfefc;
  }
}
