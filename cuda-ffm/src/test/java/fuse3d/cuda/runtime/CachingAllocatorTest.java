package fuse3d.cuda.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.cuda.CudaException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The caching allocator on a fake device: size classes, reuse without a backend call, stats, release, OOM retry. */
class CachingAllocatorTest {

    @Test
    void sizeClassesByHand() {
        assertEquals(512, CachingAllocator.sizeClass(0));
        assertEquals(512, CachingAllocator.sizeClass(1));
        assertEquals(512, CachingAllocator.sizeClass(512));
        assertEquals(1024, CachingAllocator.sizeClass(513));
        assertEquals(1L << 20, CachingAllocator.sizeClass((1L << 19) + 1));
        assertEquals(1L << 20, CachingAllocator.sizeClass(1L << 20));
        assertEquals(2L << 20, CachingAllocator.sizeClass((1L << 20) + 1));
        assertEquals(6L << 20, CachingAllocator.sizeClass((4L << 20) + 1));
        assertThrows(IllegalArgumentException.class, () -> CachingAllocator.sizeClass(-1));
    }

    @Property(tries = 300)
    void sizeClassCoversTheRequestWithBoundedWaste(@ForAll @LongRange(min = 0, max = 1L << 34) long bytes) {
        long c = CachingAllocator.sizeClass(bytes);
        assertTrue(c >= bytes && c >= 512, bytes + " -> " + c);
        if (bytes > 512 && bytes <= 1 << 20) assertTrue(c < 2 * bytes, "small class wastes half or more: " + bytes + " -> " + c);
        if (bytes > 1 << 20) assertTrue(c - bytes < 2L << 20, "large class wastes 2 MiB or more: " + bytes + " -> " + c);
        assertEquals(c, CachingAllocator.sizeClass(c), "a class is its own class");
    }

    @Test
    void aTrainingLoopAllocatesFromTheDeviceOnlyInItsFirstStep() {
        FakeDevice dev = new FakeDevice(1L << 30);
        CachingAllocator a = new CachingAllocator(dev);
        long[] sizes = {4096, 1000, 3 << 20, 100, 4096, 70_000};
        for (int step = 0; step < 50; step++) {
            List<Long> held = new ArrayList<>();
            for (long s : sizes) held.add(a.allocate(s));
            for (long p : held) a.free(p);
        }
        var s = a.stats();
        assertEquals(sizes.length, dev.allocCalls, "the device is called only to fill the cache");
        assertEquals(50L * sizes.length, s.allocations());
        assertEquals(s.allocations() - sizes.length, s.hits());
        assertEquals(0, s.bytesInUse());
        assertEquals(0, s.blocksInUse());
        assertTrue(s.bytesCached() > 0);
        long released = a.releaseCached();
        assertEquals(released, s.bytesCached());
        assertEquals(0, dev.used, "release gives every cached block back");
        assertEquals(0, a.stats().bytesCached());
    }

    @Test
    void liveBlocksAreDistinctAndDoubleFreeIsAnError() {
        CachingAllocator a = new CachingAllocator(new FakeDevice(1L << 30));
        long p = a.allocate(100), q = a.allocate(100);
        assertNotEquals(p, q);
        assertEquals(512, a.blockSize(p));
        a.free(p);
        assertEquals(p, a.allocate(200), "a freed block of the class is reused");
        a.free(q);
        var e = assertThrows(IllegalArgumentException.class, () -> a.free(q));
        assertTrue(e.getMessage().contains("freed twice"), e.getMessage());
    }

    @Test
    void outOfMemoryReleasesTheCacheAndRetries() {
        FakeDevice dev = new FakeDevice(8L << 20);
        CachingAllocator a = new CachingAllocator(dev);
        long p = a.allocate(6L << 20);
        a.free(p); // cached: the device is full of a block nobody uses
        long q = a.allocate(4L << 20);
        assertEquals(1, a.stats().backendFrees());
        a.free(q);
        a.releaseCached();
        a.allocate(8L << 20);
        assertThrows(CudaException.class, () -> a.allocate(1 << 20), "a real OOM still surfaces");
    }
}
