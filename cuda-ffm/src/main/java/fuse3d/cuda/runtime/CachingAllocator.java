package fuse3d.cuda.runtime;

import fuse3d.cuda.CudaException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A caching allocator for device memory, so that a training step does not call cuMemAlloc per op: freed blocks go to
 * a bin of their size class and the next request of that class reuses one (tinygrad's LRU allocator, PyTorch's caching
 * allocator in miniature).
 *
 * <p>Size classes: requests round up to a power of two from 512 B to 1 MiB, then to a multiple of 2 MiB, so a block
 * wastes under half its size when small and under 2 MiB when large. When the backend runs out of memory every cached
 * block is released and the request retried once. Thread-safe; the blocks it hands out are tracked by address.
 */
public final class CachingAllocator implements DeviceAllocator, AutoCloseable {
    static final long MIN_BLOCK = 512, SMALL_LIMIT = 1L << 20, LARGE_STEP = 2L << 20;

    /** Counters since creation: calls, cache hits and misses, the backend's allocations and frees, and bytes. */
    public record Stats(long allocations, long hits, long misses, long backendAllocations, long backendFrees, long bytesInUse, long bytesCached,
                        long peakBytesInUse, int blocksInUse) {}

    private final DeviceAllocator backend;
    private final TreeMap<Long, ArrayDeque<Long>> free = new TreeMap<>();
    private final Map<Long, Long> live = new HashMap<>();
    private long allocations, hits, misses, backendAllocations, backendFrees, bytesInUse, bytesCached, peak;

    public CachingAllocator(DeviceAllocator backend) { this.backend = backend; }

    /** The block size serving a request of {@code bytes}. */
    public static long sizeClass(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("CachingAllocator: negative request of " + bytes + " bytes");
        if (bytes <= MIN_BLOCK) return MIN_BLOCK;
        if (bytes <= SMALL_LIMIT) return Long.highestOneBit(bytes - 1) << 1;
        return (bytes + LARGE_STEP - 1) / LARGE_STEP * LARGE_STEP;
    }

    @Override
    public synchronized long allocate(long bytes) {
        long size = sizeClass(bytes);
        allocations++;
        ArrayDeque<Long> bin = free.get(size);
        long addr;
        if (bin != null && !bin.isEmpty()) {
            addr = bin.pop();
            bytesCached -= size;
            hits++;
        } else {
            misses++;
            addr = allocateFromBackend(size);
        }
        live.put(addr, size);
        bytesInUse += size;
        peak = Math.max(peak, bytesInUse);
        return addr;
    }

    private long allocateFromBackend(long size) {
        try {
            long a = backend.allocate(size);
            backendAllocations++;
            return a;
        } catch (CudaException oom) {
            // the cache may hold what the device lacks: give it all back and try once more
            releaseCached();
            long a;
            try {
                a = backend.allocate(size);
            } catch (CudaException again) {
                // tensors that died unclosed hold device memory until their cleaners run: let them, then retry
                System.gc();
                try {
                    wait(50); // releases the lock, so the cleaners can return their blocks
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                releaseCached();
                a = backend.allocate(size);
            }
            backendAllocations++;
            return a;
        }
    }

    @Override
    public synchronized void free(long address) {
        Long size = live.remove(address);
        if (size == null) throw new IllegalArgumentException("CachingAllocator: free of 0x" + Long.toHexString(address) + ", which it did not hand out (or freed twice)");
        bytesInUse -= size;
        bytesCached += size;
        free.computeIfAbsent(size, s -> new ArrayDeque<>()).push(address);
    }

    /** The size class of a live block, or -1. */
    public synchronized long blockSize(long address) {
        Long s = live.get(address);
        return s == null ? -1 : s;
    }

    /** Frees every cached (not live) block to the backend; returns the bytes released. */
    public synchronized long releaseCached() {
        long released = 0;
        for (var e : free.entrySet()) {
            for (long a : e.getValue()) {
                backend.free(a);
                backendFrees++;
                released += e.getKey();
            }
            e.getValue().clear();
        }
        free.clear();
        bytesCached = 0;
        return released;
    }

    public synchronized Stats stats() {
        return new Stats(allocations, hits, misses, backendAllocations, backendFrees, bytesInUse, bytesCached, peak, live.size());
    }

    /** Releases the cache; live blocks stay with their owners (their count is in {@link #stats()}). */
    @Override
    public void close() { releaseCached(); }
}
