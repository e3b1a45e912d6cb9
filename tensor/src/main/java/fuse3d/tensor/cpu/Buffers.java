package fuse3d.tensor.cpu;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small recycling pool of float scratch arrays (packed GEMM panels, im2col columns).
 *
 * <p>Thread-locals would be unsafe here: a fork-join worker that waits on a join may run an unrelated
 * task that needs the same kind of scratch while the first user still holds it. An explicit take/give pool
 * has no such aliasing. Arrays may be larger than asked for and hold stale data.
 */
final class Buffers {
    /** At most this many arrays and this many floats stay pooled, so idle memory stays bounded. */
    private static final int MAX_KEPT = 16;
    private static final long MAX_KEPT_FLOATS = 32L << 20;

    private static final ConcurrentLinkedQueue<float[]> FREE = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger KEPT = new AtomicInteger();
    private static final AtomicLong KEPT_FLOATS = new AtomicLong();

    private Buffers() {}

    /** An array of at least {@code size} floats with unspecified contents. */
    static float[] take(int size) {
        while (true) {
            float[] best = null;
            for (float[] f : FREE) {
                // Smallest fit, so a small request does not take the one array a large request needs.
                // Never a much larger one: handing a big padded-input array to a small tile request left the
                // next large request to allocate (and zero) a fresh big array every call.
                if (f.length >= size && f.length <= Math.max(4L * size, 1 << 16) && (best == null || f.length < best.length)) {
                    best = f;
                }
            }
            if (best == null) {
                return new float[Math.max(size, 16)];
            }
            if (FREE.remove(best)) {
                KEPT.decrementAndGet();
                KEPT_FLOATS.addAndGet(-best.length);
                return best;
            }
            // Another thread took it first; look again.
        }
    }

    /** Returns an array to the pool; it is dropped when the pool is full. */
    static void give(float[] f) {
        if (f == null) {
            return;
        }
        int kept = KEPT.incrementAndGet();
        long floats = KEPT_FLOATS.addAndGet(f.length);
        if (kept > MAX_KEPT || floats > MAX_KEPT_FLOATS) {
            KEPT.decrementAndGet();
            KEPT_FLOATS.addAndGet(-f.length);
            return;
        }
        FREE.add(f);
    }
}
