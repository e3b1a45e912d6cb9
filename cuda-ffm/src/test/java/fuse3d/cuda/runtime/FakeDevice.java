package fuse3d.cuda.runtime;

import fuse3d.cuda.CudaException;
import java.util.HashMap;
import java.util.Map;

/** Test double of device memory: hands out fake addresses, tracks live bytes, and runs out of memory at a set limit. */
final class FakeDevice implements DeviceAllocator {
    final long capacity;
    final Map<Long, Long> live = new HashMap<>();
    long next = 0x7f00_0000_0000L, used, allocCalls, freeCalls;

    FakeDevice(long capacity) { this.capacity = capacity; }

    @Override
    public synchronized long allocate(long bytes) {
        allocCalls++;
        if (used + bytes > capacity) throw new CudaException("cuMemAlloc_v2", 2, "cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)");
        long a = next;
        next += (bytes + 255) / 256 * 256 + 256;
        live.put(a, bytes);
        used += bytes;
        return a;
    }

    @Override
    public synchronized void free(long address) {
        freeCalls++;
        Long b = live.remove(address);
        if (b == null) throw new IllegalStateException("fake cuMemFree_v2 of an unknown address 0x" + Long.toHexString(address));
        used -= b;
    }
}
