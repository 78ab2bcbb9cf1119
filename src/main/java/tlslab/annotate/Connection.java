package tlslab.annotate;

import java.util.ArrayList;
import java.util.List;
import tlslab.pcap.TcpDirection;

/**
 * Everything the annotator remembers about one TCP connection: per-direction TCP and TLS reassembly
 * state, the TLS session as Wireshark tracks it (its version decides the Protocol column), and the
 * facts for the per-connection summary.
 */
final class Connection {
  private static final byte[] EMPTY = new byte[0];

  /** Multisegment PDUs remembered per direction (retransmissions rarely reach further back). */
  static final int MSPS = 16;

  /** One direction of the connection. */
  static final class Side {
    final TcpDirection tcp = new TcpDirection();
    // TCP-level reassembly of one TLS PDU (Wireshark's "multisegment PDU").
    byte[] pdu = EMPTY; // allocated on first use: most connections never need it
    int pduLen;
    boolean pduActive;
    int pduSeq;
    int pduNext;
    boolean pduEntireSegment;
    boolean pduBroken;
    int pduSegments;
    long pduFrame; // the frame whose bytes started the pending PDU
    boolean gap; // TCP saw bytes of this direction missing from the capture
    // Handshake-message reassembly across records.
    byte[] hs = EMPTY;
    int hsLen;
    boolean hsActive;
    boolean haveStreamSeq;
    int appDataRecords;
    int streamSeq;

    /**
     * Wireshark's multisegment-PDU table for this direction, the latest {@link #MSPS} entries as
     * (first sequence number, next PDU's sequence number) pairs: a retransmission that starts where
     * one starts is "retransmitted" data, one inside continues it, anything else is dissected again
     * (packet-tcp.c desegment_tcp).
     */
    final int[] msps = new int[2 * MSPS];

    int mspCount;

    void addMsp(int seq, int next) {
      int i = mspCount++ % MSPS;
      msps[2 * i] = seq;
      msps[2 * i + 1] = next;
    }

    void extendLastMsp(int next) {
      if (mspCount > 0) msps[2 * ((mspCount - 1) % MSPS) + 1] = next;
    }

    /** Index of the known PDU starting at or containing {@code seq} (latest first), or -1. */
    int mspAt(int seq) {
      for (int k = 0; k < Math.min(mspCount, MSPS); k++) {
        int i = (mspCount - 1 - k) % MSPS;
        int start = msps[2 * i];
        int next = msps[2 * i + 1];
        if (!TcpDirection.gt(start, seq) && TcpDirection.gt(next, seq)) return i;
      }
      return -1;
    }

    /** Received ranges relative to pduSeq. */
    final tlslab.wire.ReceivedRanges ranges = new tlslab.wire.ReceivedRanges();

    /** Copies bytes at {@code rel} (out-of-order allowed) and records the covered range. */
    void putPdu(int rel, byte[] b, int off, int n) {
      if (rel + n > pdu.length)
        pdu = java.util.Arrays.copyOf(pdu, Math.max(Math.max(rel + n, 256), pdu.length * 2));
      System.arraycopy(b, off, pdu, rel, n);
      ranges.add(rel, rel + n);
      pduLen = ranges.contiguous();
    }

    void resetRanges(int covered) {
      ranges.clear();
      if (covered > 0) ranges.add(0, covered);
    }

    void appendHs(byte[] b, int off, int n) {
      if (hsLen + n > hs.length)
        hs = java.util.Arrays.copyOf(hs, Math.max(Math.max(hsLen + n, 64), hs.length * 2));
      System.arraycopy(b, off, hs, hsLen, n);
      hsLen += n;
    }
  }

  final int index;
  final byte[] addrA;
  final byte[] addrB;
  final int portA;
  final int portB;
  final int ipVersion;
  final String nameA;
  final String nameB;

  /** Side for packets from A (the first sender seen) and from B. */
  final Side a = new Side();

  final Side b = new Side();
  boolean tls;

  /** In the annotator's list of TLS connections (once a frame was labelled TLS). */
  boolean listed;

  boolean clientSentEncrypted;

  /** Handshake RTT (Wireshark's ts_first_rtt): time of the SYN, then SYN to third ACK. */
  long synTime = -1;

  int synSeq;
  boolean synFromA;
  long firstRtt;

  /** Wireshark's session version: -1 unknown, else a wire code (0x0303, 0x0304...). */
  int version = -1;

  /** Which side is the server: 0 unknown, 'A' or 'B'. */
  char server;

  // Summary facts.
  String serverName;
  int clientHelloVersion = -1;
  int cipherSuite = -1;
  int negotiatedVersion = -1;

  /** The Server Hello's version as written: differs for a TLS 1.3 draft (0x7f17). */
  int negotiatedVersionOnWire = -1;

  /** The Server Hello's version field (legacy_version in TLS 1.3), -1 before one. */
  int serverHelloLegacyVersion = -1;

  int keyExchangeGroup = -1;
  boolean sawServerKeyExchange;
  boolean sawCertificate;
  boolean sawClientCertificate;
  boolean sawServerHelloDone;
  boolean resumed;
  boolean pskAccepted;
  boolean helloRetry;

  /** The group a Hello Retry Request named in its key_share (RFC 8446 4.2.8), or -1: none. */
  int helloRetryGroup = -1;

  /** Whether a Hello Retry Request carried a cookie (RFC 8446 4.2.2). */
  boolean helloRetryCookie;

  /** Whether a Server Hello that is not a Hello Retry Request was seen: keys were agreed. */
  boolean sawServerHello;

  /**
   * TLS 1.0-1.2: the first frame with a handshake message after the handshake's Finished, under its
   * keys (a Hello Request or a new Client Hello: a renegotiation, RFC 5746), or -1.
   */
  long renegotiationFrame = -1;

  /** Encrypted Handshake Messages seen from each side after its Change Cipher Spec. */
  int clientHsAfterCcs;

  int serverHsAfterCcs;

  /** Server Hellos of renegotiations (decrypted: read only with keys). */
  int renegotiations;

  /** The first handshake's mode, kept when a renegotiation's Server Hello sets {@link #mode}. */
  tlslab.wire.HandshakeMode firstMode;

  byte[] offeredSessionId;
  boolean ticketOffered;
  int ticketsIssued;
  long ticketLifetime = -1;
  final List<String> certificates = new ArrayList<>();

  /**
   * The chains of the last Certificate message from each side, leaf first (for ConnectionFacts).
   */
  List<java.security.cert.X509Certificate> serverChain = List.of();

  List<java.security.cert.X509Certificate> clientChain = List.of();
  boolean sawCertificateRequest;
  boolean sawClientCertificateVerify;

  // The message model's connection facts (ConnectionFacts), beyond the summary's.
  /** Handshake mode as known so far (FULL until the Server Hello or a CCS says otherwise). */
  tlslab.wire.HandshakeMode mode = tlslab.wire.HandshakeMode.UNKNOWN;

  boolean serverKeyShare;
  boolean clientOffered13;
  boolean clientSessionIdEmpty = true;
  List<String> alpnOffered = List.of();
  String alpnChosen;
  boolean grease;
  boolean pskOffered;

  /** The obfuscated_ticket_age of each PSK identity the Client Hello offered (RFC 8446 4.2.11). */
  List<Long> pskAges = List.of();

  /** The Server Hello echoes the non-empty session id the client offered (TLS 1.0-1.2). */
  boolean sessionIdEchoed;

  /** The client's hello carried an outer encrypted_client_hello (real ECH or GREASE ECH). */
  boolean echOffered;

  /** The client's hello carried early_data (RFC 8446 4.2.10): it may send 0-RTT data. */
  boolean earlyDataOffered;

  /**
   * The client's first hello carried early_data, though a second hello after a Hello Retry Request
   * leaves it out (RFC 8446 4.2.10): its 0-RTT data went, and was rejected.
   */
  boolean earlyDataInFirstHello;

  /**
   * Whether the server's Encrypted Extensions (read only with keys) carried early_data, that is
   * accepted the client's 0-RTT data (RFC 8446 4.2.10); null while no Encrypted Extensions was
   * read.
   */
  Boolean earlyDataAccepted;

  boolean clientEncryptedExtensions;

  /** The server's Encrypted Extensions was read (TLS 1.3 with keys): its ALPN answer is known. */
  boolean serverEncryptedExtensions;

  boolean serverFinished;
  boolean clientFinished;
  boolean serverCcs;
  boolean clientCcs;
  int clientHellos;
  CertificateStatus certificateStatus;

  /** Proxy in front of the TLS peer (HTTP CONNECT or SOCKS target), or null. */
  String proxyTarget;

  String proxyKind;
  long proxyFrame;
  final List<TlsAlert> alertList = new ArrayList<>();

  /**
   * The groups the client's hellos carried key shares for (RFC 8446 4.2.8), GREASE left out, in
   * order of first offer: what the server's chosen key share is chosen from.
   */
  final List<Integer> keySharesOffered = new ArrayList<>();

  /** The first Client Hello, for what a retry after a Hello Retry Request changed; or null. */
  RetryHello.First firstHello;

  /** What the second Client Hello changed from the first ({@link RetryHello}), or null. */
  RetryHello retryHello;

  /** TLS 1.3 Key Updates read (with keys), in order, each linked to the one it answers. */
  final List<KeyUpdate> keyUpdates = new ArrayList<>();

  /** Notes already said on this connection, so a note that would repeat is said once. */
  final java.util.Set<String> said = new java.util.HashSet<>();

  /** Decrypted-payload state of each direction (text, HTTP/1.1, HTTP/2 with its HPACK table). */
  final Payloads.Direction payloadClient = new Payloads.Direction();

  final Payloads.Direction payloadServer = new Payloads.Direction();

  /** What Wireshark hands this connection's decrypted application data to (null: not chosen). */
  HttpLabels.App app;

  /** Reassembly and HTTP state above TLS, per direction, for the labels (see HttpLabels). */
  final HttpLabels.Flow httpClient = new HttpLabels.Flow();

  final HttpLabels.Flow httpServer = new HttpLabels.Flow();

  /**
   * Application Data records per direction (TLS 1.3 without keys: with its encrypted handshake).
   */
  int clientAppData;

  int serverAppData;
  final List<String> problems = new ArrayList<>();

  /** The end-of-capture problems (records left unfinished) were added to {@link #problems}. */
  boolean endNoted;

  long firstFrame;
  long lastFrame;
  final Decryption decryption;

  Connection(
      int index, byte[] addrA, byte[] addrB, int portA, int portB, int ipVersion, Decryption d) {
    this.index = index;
    this.addrA = addrA;
    this.addrB = addrB;
    this.portA = portA;
    this.portB = portB;
    this.ipVersion = ipVersion;
    this.decryption = d;
    this.nameA = tlslab.pcap.TcpPacket.address(addrA, ipVersion);
    this.nameB = tlslab.pcap.TcpPacket.address(addrB, ipVersion);
  }

  /** ChangeCipherSpec frames as Wireshark files them: by its from-server flag, not by socket. */
  long ccsFrameServer;

  long ccsFrameClient;

  /**
   * The first sender's first record was a Client Hello in SSL 2.0's record format: the roles are
   * known (the annotator already takes the first sender for the client), though Wireshark's server
   * flag stays unset.
   */
  boolean sslv2ClientHello;

  /** Set once a Client Hello told Wireshark which side is the server. */
  boolean serverKnown;

  /** The server port from a SYN or SYN/ACK (tshark tries its dissector first), 0 unknown. */
  int serverPort;

  /** An HTTP CONNECT request's target port while its response is awaited, else -1. */
  int connectPort = -1;

  boolean connectFromA;

  /**
   * Wireshark's ssl_packet_from_server: after a Client Hello, the side it was sent to; before
   * (capture started mid-connection), only a packet from a well-known TLS port counts as "from
   * server" - so both directions may count as "client". This flag steers its heuristics.
   */
  boolean wiresharkFromServer(Side s) {
    if (serverKnown) return isServer(s);
    return WiresharkHandoff.tlsAssociationPort(s == a ? portA : portB);
  }

  boolean isServer(Side s) {
    if (server == 0) return s == b; // the first sender is usually the client
    return (server == 'A') == (s == a);
  }

  Side other(Side s) {
    return s == a ? b : a;
  }

  /**
   * Records a Key Update from {@code sender} in {@code frame} and returns it, linked to the peer's
   * waiting {@code update_requested} (RFC 8446 4.6.3): the sender's first Key Update after such a
   * request is its answer, and every request of the peer still waiting is answered by it.
   */
  KeyUpdate keyUpdate(Sender sender, long frame, int requestUpdate) {
    long answers = -1;
    for (int i = 0; i < keyUpdates.size(); i++) {
      KeyUpdate k = keyUpdates.get(i);
      if (k.sender() != sender && k.requested() && k.answeredFrame() < 0) {
        if (answers < 0) answers = k.frame();
        keyUpdates.set(i, k.answeredBy(frame));
      }
    }
    KeyUpdate ku = new KeyUpdate(sender, frame, requestUpdate, answers, -1);
    keyUpdates.add(ku);
    return ku;
  }
}
