package fuse3d.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Parallel.forRange: coverage, contiguity, chunk count, nesting and error propagation. */
class ParallelTest {

    @Property(tries = 200)
    void everyIndexRunsOnceInContiguousChunks(@ForAll @IntRange(min = -5, max = 5) int from,
                                              @ForAll @IntRange(min = 0, max = 50) int len,
                                              @ForAll @IntRange(min = 1, max = 6) int threads) {
        int to = from + len;
        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(len, 1));
        List<int[]> chunks = Collections.synchronizedList(new ArrayList<>());
        Parallel.forRange(from, to, threads, (lo, hi) -> {
            chunks.add(new int[] {lo, hi});
            for (int i = lo; i < hi; i++) {
                hits.incrementAndGet(i - from);
            }
        });
        for (int i = 0; i < len; i++) {
            assertEquals(1, hits.get(i), "index " + (from + i));
        }
        assertEquals(len == 0 ? 0 : Math.min(threads, len), chunks.size());
        List<int[]> sorted = new ArrayList<>(chunks);
        sorted.sort((x, y) -> Integer.compare(x[0], y[0]));
        int expect = from;
        for (int[] c : sorted) {
            assertEquals(expect, c[0], "chunks are contiguous");
            assertTrue(c[1] > c[0], "chunks are not empty");
            // near-equal sizes: any two chunks differ by at most one index
            assertTrue(c[1] - c[0] <= len / sorted.size() + 1);
            expect = c[1];
        }
        assertEquals(len == 0 ? from : to, expect);
    }

    @Test
    void nestedLoopsComplete() {
        AtomicIntegerArray hits = new AtomicIntegerArray(64);
        Parallel.forRange(0, 8, 4, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                int row = i;
                Parallel.forRange(0, 8, 3, (l2, h2) -> {
                    for (int j = l2; j < h2; j++) {
                        hits.incrementAndGet(row * 8 + j);
                    }
                });
            }
        });
        for (int i = 0; i < 64; i++) {
            assertEquals(1, hits.get(i));
        }
    }

    @Test
    void exceptionsReachTheCaller() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Parallel.forRange(0, 10, 2, (lo, hi) -> {
                    if (lo > 0) {
                        throw new IllegalStateException("boom " + lo);
                    }
                }));
        assertTrue(e.getMessage().startsWith("boom"));
        assertTrue(Parallel.threads() >= 1);
    }
}
