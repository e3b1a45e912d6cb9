package fuse3d.cuda.runtime;

/**
 * Raw device memory: the driver's cuMemAlloc_v2 / cuMemFree_v2, or a fake in tests, so that the caching allocator above
 * it is tested on a machine without a GPU.
 */
public interface DeviceAllocator {
    /** A device address of at least {@code bytes} bytes; throws (fuse3d.cuda.CudaException) when out of memory. */
    long allocate(long bytes);

    /** Gives back memory that {@link #allocate} returned. */
    void free(long address);
}
