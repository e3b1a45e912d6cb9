package fuse3d.models.train;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.*;

class DataLoaderTest {
    /** Samples are "index@epoch"; each takes a random time so that worker timing varies from run to run. */
    record Slow(int n, int failAt) implements DataLoader.Source<String> {
        public int size() { return n; }

        public String get(int index, int epoch) {
            if (index == failAt) throw new IllegalStateException("corrupt velodyne file");
            try {
                Thread.sleep(ThreadLocalRandom.current().nextInt(3));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return index + "@" + epoch;
        }

        public String frameId(int index) { return String.format("%06d", index); }
    }

    static List<List<String>> run(int workers, int n, int batch, long seed, int epoch) {
        try (DataLoader<String, List<String>> l = new DataLoader<>(new Slow(n, -1), List::copyOf, batch, true, false, seed, workers, 3)) {
            List<List<String>> out = new ArrayList<>();
            DataLoader<String, List<String>>.Epoch e = l.epoch(epoch);
            while (e.hasNext()) out.add(e.next());
            return out;
        }
    }

    @Test
    void batchesByHand() {
        try (DataLoader<String, List<String>> l = new DataLoader<>(new Slow(5, -1), List::copyOf, 2, false, false, 0, 2, 2)) {
            List<List<String>> out = new ArrayList<>();
            l.epoch(3).forEachRemaining(out::add);
            assertEquals(List.of(List.of("0@3", "1@3"), List.of("2@3", "3@3"), List.of("4@3")), out);
        }
        try (DataLoader<String, List<String>> l = new DataLoader<>(new Slow(5, -1), List::copyOf, 2, false, true, 0, 0, 1)) {
            assertEquals(2, l.batchesPerEpoch());
        }
    }

    @Property(tries = 8)
    void orderIsIndependentOfThreadCount(@ForAll @IntRange(min = 1, max = 40) int n, @ForAll @IntRange(min = 1, max = 5) int batch,
                                         @ForAll long seed) {
        List<List<String>> serial = run(0, n, batch, seed, 2);
        assertEquals(serial, run(1, n, batch, seed, 2));
        assertEquals(serial, run(3, n, batch, seed, 2));
        // a permutation of all samples
        assertEquals(n, serial.stream().mapToInt(List::size).sum());
        assertEquals(n, serial.stream().flatMap(List::stream).distinct().count());
    }

    @Test
    void epochsShuffleDifferentlyAndSeedsReproduce() {
        assertNotEquals(run(2, 30, 4, 9, 0), run(2, 30, 4, 9, 1));
        assertEquals(run(2, 30, 4, 9, 1), run(3, 30, 4, 9, 1));
    }

    @Test
    void workerExceptionSurfacesWithTheFrameId() {
        for (int workers : new int[] {0, 3}) {
            try (DataLoader<String, List<String>> l = new DataLoader<>(new Slow(20, 7), List::copyOf, 2, false, false, 0, workers, 4)) {
                DataLoader<String, List<String>>.Epoch e = l.epoch(0);
                assertEquals(List.of("0@0", "1@0"), e.next());
                DataLoader.DataLoaderException ex = assertThrows(DataLoader.DataLoaderException.class, () -> {
                    while (e.hasNext()) e.next();
                });
                assertEquals("000007", ex.frameId());
                assertTrue(ex.getMessage().contains("frame 000007") && ex.getMessage().contains("corrupt velodyne file"), ex.getMessage());
            }
        }
    }

    /**
     * Close waits for the threads themselves, not only for the pool to report termination (a pool terminates while
     * its last thread is still finishing; a check right after that once saw a live worker). Repeated, since the
     * window is short.
     */
    @Test
    void closeLeavesNoThreads() {
        for (int round = 0; round < 40; round++) {
            java.util.Set<Thread> before = java.util.Set.copyOf(Thread.getAllStackTraces().keySet());
            DataLoader<String, List<String>> l = new DataLoader<>(new Slow(50, -1), List::copyOf, 2, true, false, round, 4, 8);
            DataLoader<String, List<String>>.Epoch e = l.epoch(0);
            e.next(); // stop early, with batches in flight
            e.close();
            l.close();
            for (Thread t : Thread.getAllStackTraces().keySet())
                assertFalse(!before.contains(t) && t.getName().startsWith("fuse3d-loader-") && t.isAlive(), "round " + round + ": leaked " + t.getName());
        }
    }
}
