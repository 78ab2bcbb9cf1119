package tlslab.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IntMapTest {
  @Test
  void behavesLikeAHashMapUnderRandomPutsAndRemoves() {
    IntMap<String> map = new IntMap<>();
    Map<Integer, String> model = new HashMap<>();
    Random rnd = new Random(1);
    for (int i = 0; i < 50_000; i++) {
      int key = rnd.nextInt(5000) - 100; // negative keys and collisions too
      if (rnd.nextInt(3) == 0) {
        map.remove(key);
        model.remove(key);
      } else {
        map.put(key, "v" + i);
        model.put(key, "v" + i);
      }
      if (i % 1000 == 0) {
        for (int k = -100; k < 4900; k++) {
          assertThat(map.get(k)).as("key %d after %d steps", k, i).isEqualTo(model.get(k));
        }
        assertThat(map.size()).isEqualTo(model.size());
      }
    }
  }
}
