package fuse3d.cuda.runtime;

import fuse3d.cuda.CudaException;
import fuse3d.cuda.driver.CudaDriver;
import fuse3d.cuda.kernels.KernelArgs;
import fuse3d.cuda.kernels.KernelCatalog;
import fuse3d.cuda.kernels.KernelSpec;
import fuse3d.cuda.nvrtc.Nvrtc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One CUDA device as the backend uses it: its primary context (made current on whichever thread calls in, since
 * contexts are per thread), a caching allocator over cuMemAlloc, and the kernel modules, compiled by NVRTC for this
 * device's architecture at first use and cached on disk ({@link PtxCache}).
 *
 * <p>Contexts are created once per device and live for the JVM ({@link #get}); {@link #close()} exists for tests and
 * tools that want the device back. Work goes to the legacy default stream, so the synchronous copies order with it.
 *
 * <p>A dry-run context ({@link #installDryRun}) stands in for a device on a machine without one: its "device memory" is
 * host memory (copies work), and a launch checks its arguments against the catalogue, packs them and records the
 * launch, but runs nothing. Tests use it to drive every launch site of the backend without a GPU.
 */
public final class CudaContext implements AutoCloseable {
    private static final Map<Integer, CudaContext> CONTEXTS = new ConcurrentHashMap<>();
    private static final ThreadLocal<MemorySegment> CURRENT = new ThreadLocal<>();

    private final CudaDriver drv;
    private final int ordinal, device, cc;
    private final String name;
    private final long totalMem;
    private final MemorySegment ctx;
    private final CachingAllocator allocator;
    private final Map<String, MemorySegment> modules = new ConcurrentHashMap<>();
    private final Map<String, MemorySegment> functions = new ConcurrentHashMap<>();
    private volatile PtxCache ptxCache;
    private final boolean dryRun;
    private final KernelExecutor executor;
    private final List<String> launches = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    /**
     * Runs a packed launch somewhere other than a GPU (a CPU emulator of the kernels in tests); a dry-run context without
     * one only records.
     */
    @FunctionalInterface
    public interface KernelExecutor {
        void launch(String kernel, int gx, int gy, int gz, int bx, int by, int bz, MemorySegment params);
    }

    private CudaContext(CudaDriver drv, int ordinal) {
        this.dryRun = false;
        this.executor = null;
        this.drv = drv;
        this.ordinal = ordinal;
        this.device = drv.device(ordinal);
        this.cc = drv.computeCapability(device);
        this.name = drv.deviceName(device);
        this.totalMem = drv.totalMem(device);
        this.ctx = drv.primaryCtxRetain(device);
        makeCurrent();
        this.allocator = new CachingAllocator(new DeviceAllocator() {
            @Override
            public long allocate(long bytes) {
                makeCurrent();
                return drv.memAlloc(bytes);
            }

            @Override
            public void free(long address) {
                makeCurrent();
                drv.memFree(address);
            }
        });
    }

    private CudaContext(int ordinal, int cc, KernelExecutor executor) {
        this.dryRun = true;
        this.executor = executor;
        this.drv = null;
        this.ordinal = ordinal;
        this.device = -1;
        this.cc = cc;
        this.name = "dry-run";
        this.totalMem = 0;
        this.ctx = MemorySegment.NULL;
        Map<Long, MemorySegment> host = new ConcurrentHashMap<>();
        this.allocator = new CachingAllocator(new DeviceAllocator() {
            @Override
            public long allocate(long bytes) {
                MemorySegment m = Arena.ofAuto().allocate(bytes, 256);
                host.put(m.address(), m);
                return m.address();
            }

            @Override
            public void free(long address) { host.remove(address); }
        });
    }

    /**
     * Installs a dry-run context as device {@code ordinal} of compute capability cc (see the class comment); later
     * {@link #get} calls for that ordinal return it until it is closed.
     */
    public static CudaContext installDryRun(int ordinal, int cc) { return installDryRun(ordinal, cc, null); }

    /** A dry-run context whose launches run on {@code executor} (null: record only). */
    public static CudaContext installDryRun(int ordinal, int cc, KernelExecutor executor) {
        CudaContext c = new CudaContext(ordinal, cc, executor);
        if (CONTEXTS.putIfAbsent(ordinal, c) != null) throw new IllegalStateException("cuda:" + ordinal + " already has a context");
        return c;
    }

    public boolean isDryRun() { return dryRun; }

    /** The launches a dry-run context recorded: "kernel grid=(x,y,z) block=(x,y,z)". */
    public List<String> launches() { return List.copyOf(launches); }

    /** The context of device {@code ordinal}; a clear error when there is no CUDA or no such device. */
    public static CudaContext get(int ordinal) {
        CudaContext c = CONTEXTS.get(ordinal);
        if (c != null) return c;
        CudaDriver drv = CudaDriver.require("device cuda:" + ordinal);
        int n = drv.deviceCount();
        if (ordinal < 0 || ordinal >= n) throw new CudaException("device cuda:" + ordinal + " does not exist: this machine has " + n + " CUDA device(s)");
        return CONTEXTS.computeIfAbsent(ordinal, o -> new CudaContext(drv, o));
    }

    /** True when a CUDA driver with at least one device is present (no exception, one log line otherwise). */
    public static boolean available() {
        try {
            return CudaDriver.tryLoad().map(d -> d.deviceCount() > 0).orElse(false);
        } catch (CudaException e) {
            return false;
        }
    }

    /** cuCtxSetCurrent on this thread when its current context is another one (cheap when it is already). */
    public void makeCurrent() {
        if (dryRun) return;
        if (CURRENT.get() != ctx) {
            drv.ctxSetCurrent(ctx);
            CURRENT.set(ctx);
        }
    }

    public CudaDriver driver() { return drv; }

    public int ordinal() { return ordinal; }

    /** Compute capability, major * 10 + minor. */
    public int computeCapability() { return cc; }

    public String name() { return name; }

    public long totalMemory() { return totalMem; }

    public CachingAllocator allocator() { return allocator; }

    /** A buffer owned by the caller (close it). */
    public DeviceBuffer allocate(long bytes) { return DeviceBuffer.allocate(allocator, bytes); }

    // ------------------------------------------------------------------ copies

    /** Host (native) memory to device. */
    public void upload(long dst, MemorySegment src, long bytes) {
        if (bytes == 0) return;
        if (dryRun) {
            MemorySegment.ofAddress(dst).reinterpret(bytes).copyFrom(src.asSlice(0, bytes));
            return;
        }
        makeCurrent();
        drv.memcpyHtoD(dst, src, bytes);
    }

    /** Device to host (native) memory. */
    public void download(MemorySegment dst, long src, long bytes) {
        if (bytes == 0) return;
        if (dryRun) {
            dst.asSlice(0, bytes).copyFrom(MemorySegment.ofAddress(src).reinterpret(bytes));
            return;
        }
        makeCurrent();
        drv.memcpyDtoH(dst, src, bytes);
    }

    public void copy(long dst, long src, long bytes) {
        if (bytes == 0) return;
        if (dryRun) {
            MemorySegment.ofAddress(dst).reinterpret(bytes).copyFrom(MemorySegment.ofAddress(src).reinterpret(bytes));
            return;
        }
        makeCurrent();
        drv.memcpyDtoD(dst, src, bytes);
    }

    public void synchronize() {
        if (dryRun) return;
        makeCurrent();
        drv.streamSynchronize(MemorySegment.NULL);
    }

    // ------------------------------------------------------------------ kernels

    /** The function of a catalogued kernel, compiling and loading its module at first use. */
    public MemorySegment function(String kernel) {
        MemorySegment f = functions.get(kernel);
        if (f != null) return f;
        KernelSpec spec = KernelCatalog.get(kernel);
        MemorySegment mod = modules.computeIfAbsent(spec.source(), this::loadModule);
        makeCurrent();
        return functions.computeIfAbsent(kernel, k -> drv.moduleGetFunction(mod, k));
    }

    private MemorySegment loadModule(String source) {
        PtxCache cache = ptxCache;
        if (cache == null) {
            Nvrtc nvrtc = Nvrtc.require("CUDA kernels for cuda:" + ordinal);
            int[] v = nvrtc.version();
            cache = new PtxCache(PtxCache.defaultDir(), nvrtc::compileToPtx, "nvrtc-" + v[0] + "." + v[1] + "-compute_" + cc);
            ptxCache = cache;
        }
        List<String> extra = KernelCatalog.NO_FMAD.contains(source) ? List.of("--fmad=false") : List.of();
        String ptx = cache.ptx(KernelCatalog.source(source), source, Nvrtc.options(cc, extra));
        makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            return drv.moduleLoadData(a.allocateFrom(ptx));
        }
    }

    /** Launches a catalogued kernel on the default stream after checking the arguments against the catalogue. */
    public void launch(String kernel, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes, Object... args) {
        KernelSpec spec = KernelCatalog.get(kernel);
        // the limits every CUDA device has: a bad launch shape fails here with the kernel's name, not as a CUresult
        if (gx < 1 || gy < 1 || gz < 1 || gy > 65535 || gz > 65535 || bx < 1 || by < 1 || bz < 1 || (long) bx * by * bz > 1024 || bz > 64)
            throw new IllegalArgumentException("launch " + kernel + ": grid (" + gx + ", " + gy + ", " + gz + ") block (" + bx + ", " + by + ", " + bz
                    + ") is outside CUDA's limits");
        if (dryRun) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment params = KernelArgs.pack(a, spec, args);
                if (executor != null) executor.launch(kernel, gx, gy, gz, bx, by, bz, params);
            }
            launches.add(kernel + " grid=(" + gx + "," + gy + "," + gz + ") block=(" + bx + "," + by + "," + bz + ")");
            return;
        }
        MemorySegment fn = function(kernel);
        makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            drv.launchKernel(fn, gx, gy, gz, bx, by, bz, sharedBytes, MemorySegment.NULL, KernelArgs.pack(a, spec, args));
        }
    }

    /** A 1-d launch over n items with a grid-stride kernel: 256 threads, at most 65535 * 4 blocks. */
    public void launch1d(String kernel, long n, Object... args) {
        int blocks = (int) Math.max(1, Math.min((n + 255) / 256, 65535L * 4));
        launch(kernel, blocks, 1, 1, 256, 1, 1, 0, args);
    }

    /** Unloads the modules, releases the cached memory and the primary context. */
    @Override
    public void close() {
        if (dryRun) {
            allocator.releaseCached();
            CONTEXTS.remove(ordinal, this);
            return;
        }
        makeCurrent();
        for (MemorySegment m : modules.values()) drv.moduleUnload(m);
        modules.clear();
        functions.clear();
        allocator.releaseCached();
        drv.primaryCtxRelease(device);
        CONTEXTS.remove(ordinal, this);
        CURRENT.remove();
    }

    @Override
    public String toString() {
        return "cuda:" + ordinal + " " + name + " (sm_" + cc + ", " + (totalMem >> 20) + " MiB)";
    }
}
