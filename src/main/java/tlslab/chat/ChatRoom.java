package tlslab.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The chat itself: who is here, under which nick, and what each line a member types does. It is the
 * report's server loop without the sockets: {@code broadcast_data} becomes a call on an {@link
 * Outbox}, and everything else (names, private messages, the TLS session summary) is plain string
 * handling that a test can drive with strings.
 *
 * <p>The protocol (see {@code docs/PROTOCOL.md}): a client sends {@code /nick NAME}, {@code /list},
 * {@code /msg NAME text}, {@code /whoami} or {@code /quit}; any other line is broadcast to every
 * other member as {@code <NAME> text}. Notices start with {@code "* "} and errors with {@code "!
 * "}.
 *
 * <p>Not thread-safe: the server calls it under one lock (a chat line is tiny work compared with
 * the TLS records around it).
 */
public final class ChatRoom {
  /**
   * A nick: 1 to 32 letters (any script, with their accents), digits, '_' or '-', so that every
   * name a class roster holds ("José", "Zoë", "Łukasz") works; no spaces, since {@code /msg NAME
   * text} splits at the first one. Compare nicks in NFC ({@link #normalNick}): "é" typed as one
   * code point or as "e" plus a combining accent is the same name.
   */
  public static final Pattern NICK = Pattern.compile("[\\p{L}\\p{M}\\p{N}_-]{1,32}");

  /** What a nick must be, for error messages. */
  public static final String NICK_RULE = "1 to 32 letters (accents welcome), digits, _ or -";

  /** The nick in Unicode NFC, the form the room stores and compares. */
  public static String normalNick(String nick) {
    return java.text.Normalizer.normalize(nick, java.text.Normalizer.Form.NFC);
  }

  /** Where the room's output goes. The server turns these calls into TLS records. */
  public interface Outbox {
    /** Sends one line (without terminator) to a member. */
    void send(int member, String line);

    /** Asks the network layer to close a member's connection after what was sent so far. */
    void close(int member);

    /** A line for the server's log (joins, leaves, nick changes). */
    default void log(String event) {}
  }

  private static final String HELP = "commands: /nick NAME, /list, /msg NAME text, /whoami, /quit";

  /** Default for {@link #ChatRoom(Outbox, int)}: rooms larger than this stop announcing joins. */
  public static final int DEFAULT_ANNOUNCE_LIMIT = 100;

  private final Outbox outbox;
  private final int announceLimit;
  private final Map<Integer, Member> members = new LinkedHashMap<>();
  private final Map<String, Integer> byNick = new LinkedHashMap<>();

  private static final class Member {
    final int id;
    final Peer peer;
    String nick;

    Member(int id, Peer peer, String nick) {
      this.id = id;
      this.peer = peer;
      this.nick = nick;
    }
  }

  /** A room that announces joins, leaves and nick changes while it has at most 100 members. */
  public ChatRoom(Outbox outbox) {
    this(outbox, DEFAULT_ANNOUNCE_LIMIT);
  }

  /**
   * @param announceLimit joins, leaves and nick changes are broadcast only while the room has at
   *     most this many members: in a room of 10,000, announcing every join would cost 50 million
   *     lines (big IRC channels and streaming chats make the same choice)
   */
  public ChatRoom(Outbox outbox, int announceLimit) {
    this.outbox = outbox;
    this.announceLimit = announceLimit;
  }

  /**
   * Adds a member whose TLS handshake just completed and announces it to the others. The nick is
   * the certificate's CN when there is one (mutual TLS), otherwise {@code guestN}.
   *
   * @param id the member's id, chosen by the caller and unique; used in every later call
   */
  public void join(int id, Peer peer) {
    if (members.containsKey(id)) {
      throw new IllegalArgumentException("member " + id + " already joined");
    }
    String nick = initialNick(peer, id);
    Member m = new Member(id, peer, nick);
    members.put(id, m);
    byNick.put(key(nick), id);
    outbox.send(id, "* welcome " + nick + " (" + (members.size() - 1) + " others online); " + HELP);
    announce(id, "* " + nick + " joined from " + peer.address());
    outbox.log(
        nick
            + " joined from "
            + peer.address()
            + " ("
            + peer.protocol()
            + ", "
            + peer.cipherSuite()
            + (peer.certificateSubject() == null ? "" : ", " + peer.certificateSubject())
            + ")");
  }

  /** Removes a member (connection closed for any reason) and tells the others; idempotent. */
  public void leave(int member, String reason) {
    Member m = members.remove(member);
    if (m == null) {
      return;
    }
    byNick.remove(key(m.nick));
    announce(member, "* " + m.nick + " left (" + m.peer.address() + ")");
    outbox.log(m.nick + " left (" + m.peer.address() + ")" + (reason == null ? "" : ": " + reason));
  }

  /** Handles one line typed by a member. */
  public void handle(int member, String line) {
    Member m = members.get(member);
    if (m == null || line.isEmpty()) {
      return;
    }
    if (!line.startsWith("/")) {
      broadcast(member, "<" + m.nick + "> " + line);
      return;
    }
    int space = line.indexOf(' ');
    String command = (space < 0 ? line : line.substring(0, space)).toLowerCase(Locale.ROOT);
    String rest = space < 0 ? "" : line.substring(space + 1).strip();
    switch (command) {
      case "/nick":
        nick(m, rest);
        break;
      case "/list":
        outbox.send(member, "* online (" + members.size() + "): " + String.join(" ", nicks()));
        break;
      case "/msg":
        privateMessage(m, rest);
        break;
      case "/whoami":
        outbox.send(member, whoami(m));
        break;
      case "/quit":
        outbox.send(member, "* bye " + m.nick);
        outbox.close(member);
        break;
      default:
        outbox.send(member, "! unknown command " + command + " (" + HELP + ")");
    }
  }

  /** The nick of a member, or null if not in the room. */
  public String nick(int member) {
    Member m = members.get(member);
    return m == null ? null : m.nick;
  }

  /** How many members are in the room. */
  public int size() {
    return members.size();
  }

  /** Member nicks in join order. */
  public List<String> nicks() {
    List<String> out = new ArrayList<>();
    for (Member m : members.values()) {
      out.add(m.nick);
    }
    return out;
  }

  private void nick(Member m, String typed) {
    String wanted = normalNick(typed);
    if (!NICK.matcher(wanted).matches()) {
      outbox.send(m.id, "! invalid nick '" + typed + "': use " + NICK_RULE);
      return;
    }
    Integer holder = byNick.get(key(wanted));
    if (holder != null && holder != m.id) {
      outbox.send(m.id, "! nick " + wanted + " is taken");
      return;
    }
    String old = m.nick;
    byNick.remove(key(old));
    m.nick = wanted;
    byNick.put(key(wanted), m.id);
    outbox.send(m.id, "* you are now " + wanted);
    announce(m.id, "* " + old + " is now " + wanted);
    outbox.log(old + " is now " + wanted);
  }

  private void privateMessage(Member from, String rest) {
    int space = rest.indexOf(' ');
    if (space < 0 || rest.substring(space + 1).isBlank()) {
      outbox.send(from.id, "! usage: /msg NAME text");
      return;
    }
    String to = rest.substring(0, space);
    Integer target = byNick.get(key(to));
    if (target == null) {
      outbox.send(from.id, "! no one called " + to);
      return;
    }
    outbox.send(target, "<" + from.nick + "> (private) " + rest.substring(space + 1));
    outbox.send(from.id, "* sent to " + members.get(target).nick);
  }

  private static String whoami(Member m) {
    Peer p = m.peer;
    return "* you are "
        + m.nick
        + " from "
        + p.address()
        + ", "
        + p.protocol()
        + ", "
        + p.cipherSuite()
        + ", "
        + (p.certificateSubject() == null
            ? "no client certificate"
            : "certificate " + p.certificateSubject());
  }

  private void announce(int except, String line) {
    if (members.size() <= announceLimit) {
      broadcast(except, line);
    }
  }

  private void broadcast(int except, String line) {
    for (Member other : members.values()) {
      if (other.id != except) {
        outbox.send(other.id, line);
      }
    }
  }

  private String initialNick(Peer peer, int id) {
    String cn = peer.certificateCommonName();
    if (cn != null && NICK.matcher(cn).matches() && !byNick.containsKey(key(cn))) {
      return cn;
    }
    String guest = "guest" + id;
    for (int n = 2; byNick.containsKey(key(guest)); n++) {
      guest = "guest" + id + "-" + n;
    }
    return guest;
  }

  private static String key(String nick) {
    return nick.toLowerCase(Locale.ROOT);
  }
}
