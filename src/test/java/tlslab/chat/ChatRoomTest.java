package tlslab.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The chat logic with plain strings: no sockets, no TLS. */
class ChatRoomTest {
  private final List<String> sent = new ArrayList<>();
  private final List<Integer> closed = new ArrayList<>();
  private final List<String> log = new ArrayList<>();
  private ChatRoom room;

  @BeforeEach
  void room() {
    room =
        new ChatRoom(
            new ChatRoom.Outbox() {
              @Override
              public void send(int member, String line) {
                sent.add(member + " " + line);
              }

              @Override
              public void close(int member) {
                closed.add(member);
              }

              @Override
              public void log(String event) {
                log.add(event);
              }
            });
  }

  private void join(int id, String address) {
    room.join(id, Peer.of(address, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
  }

  @Test
  void joinIsAnnouncedToOthersWithNameAndAddress() {
    join(1, "127.0.0.1:1001");
    join(2, "127.0.0.1:1002");
    assertThat(sent).contains("1 * guest2 joined from 127.0.0.1:1002");
    assertThat(sent).anyMatch(l -> l.startsWith("2 * welcome guest2 (1 others online)"));
    assertThat(log).anyMatch(l -> l.startsWith("guest2 joined from 127.0.0.1:1002 (TLSv1.2"));
  }

  @Test
  void aPlainLineIsBroadcastToEveryoneElse() {
    join(1, "a:1");
    join(2, "b:2");
    join(3, "c:3");
    room.handle(1, "/nick alice");
    sent.clear();
    room.handle(1, "hello all");
    assertThat(sent).containsExactly("2 <alice> hello all", "3 <alice> hello all");
  }

  @Test
  void nickRulesAndConflicts() {
    join(1, "a:1");
    join(2, "b:2");
    room.handle(1, "/nick alice");
    room.handle(2, "/nick ALICE");
    room.handle(2, "/nick bad name!");
    room.handle(2, "/nick " + "x".repeat(33));
    assertThat(sent)
        .contains("1 * you are now alice", "2 * guest1 is now alice", "2 ! nick ALICE is taken");
    assertThat(sent.stream().filter(l -> l.startsWith("2 ! invalid nick"))).hasSize(2);
    assertThat(room.nick(2)).isEqualTo("guest2");
  }

  @Test
  void nicksAcceptTheLettersRostersHold() {
    join(1, "a:1");
    join(2, "b:2");
    room.handle(1, "/nick José");
    // The same name typed with a combining accent (e + U+0301) is the same nick, so it is taken.
    room.handle(2, "/nick Jose\u0301");
    room.handle(2, "/nick Łukasz-Ñúñez_2");
    room.handle(2, "/nick " + "é".repeat(33));
    assertThat(sent)
        .contains(
            "1 * you are now José", "2 ! nick José is taken", "2 * you are now Łukasz-Ñúñez_2");
    assertThat(sent.stream().filter(l -> l.startsWith("2 ! invalid nick"))).hasSize(1);
  }

  @Test
  void listWhoamiAndPrivateMessages() {
    join(1, "a:1");
    room.join(2, new Peer("b:2", "TLSv1.3", "TLS_AES_128_GCM_SHA256", "CN=bob,O=TLS Lab", "bob"));
    sent.clear();
    room.handle(1, "/list");
    room.handle(2, "/whoami");
    room.handle(1, "/msg bob psst");
    room.handle(1, "/msg nobody hi");
    room.handle(1, "/msg bob");
    assertThat(sent)
        .containsExactly(
            "1 * online (2): guest1 bob",
            "2 * you are bob from b:2, TLSv1.3, TLS_AES_128_GCM_SHA256, certificate CN=bob,O=TLS Lab",
            "2 <guest1> (private) psst",
            "1 * sent to bob",
            "1 ! no one called nobody",
            "1 ! usage: /msg NAME text");
  }

  @Test
  void certificateCommonNameBecomesTheNickUnlessTaken() {
    room.join(1, new Peer("a:1", "TLSv1.2", "S", "CN=carol", "carol"));
    room.join(2, new Peer("b:2", "TLSv1.2", "S", "CN=carol", "carol"));
    room.join(3, new Peer("c:3", "TLSv1.2", "S", "CN=not valid!", "not valid!"));
    assertThat(room.nicks()).containsExactly("carol", "guest2", "guest3");
  }

  @Test
  void quitSaysByeAndAsksToCloseThenLeaveIsAnnouncedOnce() {
    join(1, "a:1");
    join(2, "b:2");
    sent.clear();
    room.handle(2, "/quit");
    assertThat(sent).containsExactly("2 * bye guest2");
    assertThat(closed).containsExactly(2);
    room.leave(2, null);
    room.leave(2, null);
    assertThat(sent).containsExactly("2 * bye guest2", "1 * guest2 left (b:2)");
    assertThat(room.size()).isEqualTo(1);
  }

  @Test
  void unknownCommandsAndEmptyLinesAndStrangers() {
    join(1, "a:1");
    sent.clear();
    room.handle(1, "/dance");
    room.handle(1, "");
    room.handle(99, "I never joined");
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0)).startsWith("1 ! unknown command /dance");
  }

  @Test
  void bigRoomsStopAnnouncingJoinsButStillCarryMessages() {
    ChatRoom big =
        new ChatRoom(
            new ChatRoom.Outbox() {
              @Override
              public void send(int member, String line) {
                sent.add(member + " " + line);
              }

              @Override
              public void close(int member) {}
            },
            2);
    big.join(1, Peer.of("a:1", "TLSv1.2", "S"));
    big.join(2, Peer.of("b:2", "TLSv1.2", "S"));
    big.join(3, Peer.of("c:3", "TLSv1.2", "S"));
    assertThat(sent)
        .contains("1 * guest2 joined from b:2")
        .noneMatch(l -> l.contains("guest3 joined"));
    big.handle(3, "hi");
    assertThat(sent).contains("1 <guest3> hi", "2 <guest3> hi");
  }
}
