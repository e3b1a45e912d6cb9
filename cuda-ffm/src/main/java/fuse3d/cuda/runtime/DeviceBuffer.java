package fuse3d.cuda.runtime;

import fuse3d.cuda.kernels.DevicePtr;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One block of device memory with one owner: {@link #close()} gives it back to its allocator deterministically; a
 * {@link Cleaner} is the safety net for a buffer that becomes unreachable unclosed, and counts it as a leak
 * ({@link #leaks()}) so that a "no growth over N steps" test can assert on it.
 */
public final class DeviceBuffer implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicLong LEAKS = new AtomicLong();

    private final long address, bytes;
    private final Release release;
    private final Cleaner.Cleanable cleanable;

    /** The release action; it must not refer to the buffer, or the buffer could never become unreachable. */
    private static final class Release implements Runnable {
        private final DeviceAllocator allocator;
        private final long address, bytes;
        private final AtomicBoolean done = new AtomicBoolean();
        private final boolean gcOwned;
        volatile boolean closedExplicitly;

        Release(DeviceAllocator allocator, long address, long bytes, boolean gcOwned) {
            this.allocator = allocator;
            this.address = address;
            this.bytes = bytes;
            this.gcOwned = gcOwned;
        }

        @Override
        public void run() {
            if (!done.compareAndSet(false, true)) return;
            if (!closedExplicitly && !gcOwned) {
                LEAKS.incrementAndGet();
                System.getLogger("fuse3d.cuda").log(System.Logger.Level.WARNING,
                        "DeviceBuffer of " + bytes + " bytes at 0x" + Long.toHexString(address) + " was not closed; freed by the cleaner");
            }
            allocator.free(address);
        }
    }

    private DeviceBuffer(DeviceAllocator allocator, long address, long bytes, boolean gcOwned) {
        this.address = address;
        this.bytes = bytes;
        this.release = new Release(allocator, address, bytes, gcOwned);
        this.cleanable = CLEANER.register(this, release);
    }

    /** A new buffer of {@code bytes} from the allocator. */
    public static DeviceBuffer allocate(DeviceAllocator allocator, long bytes) {
        return new DeviceBuffer(allocator, allocator.allocate(Math.max(bytes, 1)), bytes, false);
    }

    /**
     * A buffer behind a tensor's storage. Tensors have no close(): such a buffer returns to its allocator when the
     * last view of the storage becomes unreachable, and that is not counted as a leak.
     */
    public static DeviceBuffer forTensor(DeviceAllocator allocator, long bytes) {
        return new DeviceBuffer(allocator, allocator.allocate(Math.max(bytes, 1)), bytes, true);
    }

    public long address() {
        if (release.done.get()) throw new IllegalStateException("DeviceBuffer of " + bytes + " bytes used after close");
        return address;
    }

    public long bytes() { return bytes; }

    /** The address as a kernel argument. */
    public DevicePtr ptr() { return new DevicePtr(address()); }

    /** The address plus a byte offset (a view's start) as a kernel argument. */
    public DevicePtr ptr(long byteOffset) { return new DevicePtr(address() + byteOffset); }

    public boolean isClosed() { return release.done.get(); }

    @Override
    public void close() {
        release.closedExplicitly = true;
        cleanable.clean();
    }

    /** Buffers freed by the cleaner instead of close() since start-up. */
    public static long leaks() { return LEAKS.get(); }
}
