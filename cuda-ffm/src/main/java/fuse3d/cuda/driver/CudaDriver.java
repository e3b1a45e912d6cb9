package fuse3d.cuda.driver;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import fuse3d.cuda.CudaException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CUDA driver API (libcuda.so.1) bound with java.lang.foreign: one method handle per symbol, called with
 * invokeExact, every CUresult checked and turned into a {@link CudaException} naming the call, the error's name and
 * its description.
 *
 * <p>The versioned symbols are bound ({@code cuMemAlloc_v2} ...): the plain names are the old 32-bit ABI, and the
 * header's {@code #define cuMemAlloc cuMemAlloc_v2} does nothing for a symbol lookup. {@link #FUNCTIONS} lists every
 * bound symbol with its descriptor; a test checks them against cuda.h. Handles (context, stream, event, module,
 * function) are {@link MemorySegment} addresses, device pointers {@code long}, CUresult {@code int}.
 */
public final class CudaDriver {
    /** The environment variable naming libcuda (a file or a directory). */
    public static final String ENV = "FUSE3D_CUDA_LIB";

    /** CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR / MINOR and MULTIPROCESSOR_COUNT. */
    public static final int ATTR_CC_MAJOR = 75, ATTR_CC_MINOR = 76, ATTR_SM_COUNT = 16;

    /** Every bound symbol and its C signature as a descriptor, in binding order. */
    public static final Map<String, FunctionDescriptor> FUNCTIONS;
    /** Symbols tried when the first choice is missing from an older driver (same signature). */
    static final Map<String, List<String>> FALLBACKS = Map.of("cuEventElapsedTime_v2", List.of("cuEventElapsedTime"));

    static {
        Map<String, FunctionDescriptor> m = new LinkedHashMap<>();
        m.put("cuInit", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        m.put("cuDeviceGetCount", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuDeviceGet", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        m.put("cuDeviceGetName", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        m.put("cuDeviceGetAttribute", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        m.put("cuDeviceTotalMem_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        m.put("cuDevicePrimaryCtxRetain", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        m.put("cuDevicePrimaryCtxRelease_v2", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        m.put("cuCtxSetCurrent", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuStreamCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        m.put("cuStreamDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuStreamSynchronize", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuEventCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        m.put("cuEventRecord", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        m.put("cuEventSynchronize", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuEventElapsedTime_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        m.put("cuEventDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuMemAlloc_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        m.put("cuMemFree_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        m.put("cuMemAllocHost_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        m.put("cuMemFreeHost", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuMemcpyHtoD_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG));
        m.put("cuMemcpyDtoH_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
        m.put("cuMemcpyDtoD_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
        m.put("cuMemcpyHtoDAsync_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS));
        m.put("cuMemcpyDtoHAsync_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        m.put("cuMemcpyDtoDAsync_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));
        m.put("cuModuleLoadData", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        m.put("cuModuleGetFunction", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        m.put("cuModuleUnload", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuLaunchKernel", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, ADDRESS, ADDRESS));
        m.put("cuGetErrorName", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        m.put("cuGetErrorString", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        FUNCTIONS = Collections.unmodifiableMap(m);
    }

    private static final Object LOCK = new Object();
    private static volatile Optional<CudaDriver> loaded;
    private static volatile String unavailable;

    private final Path path;
    private final MethodHandle cuInit, cuDeviceGetCount, cuDeviceGet, cuDeviceGetName, cuDeviceGetAttribute, cuDeviceTotalMem,
            cuDevicePrimaryCtxRetain, cuDevicePrimaryCtxRelease, cuCtxSetCurrent, cuStreamCreate, cuStreamDestroy, cuStreamSynchronize,
            cuEventCreate, cuEventRecord, cuEventSynchronize, cuEventElapsedTime, cuEventDestroy, cuMemAlloc, cuMemFree, cuMemAllocHost,
            cuMemFreeHost, cuMemcpyHtoD, cuMemcpyDtoH, cuMemcpyDtoD, cuMemcpyHtoDAsync, cuMemcpyDtoHAsync, cuMemcpyDtoDAsync,
            cuModuleLoadData, cuModuleGetFunction, cuModuleUnload, cuLaunchKernel, cuGetErrorName, cuGetErrorString;

    private CudaDriver(Path path, SymbolLookup lib) {
        this.path = path;
        Map<String, MethodHandle> h = new LinkedHashMap<>();
        Linker linker = Linker.nativeLinker();
        for (var e : FUNCTIONS.entrySet()) {
            Optional<MemorySegment> sym = lib.find(e.getKey());
            for (String alt : FALLBACKS.getOrDefault(e.getKey(), List.of())) if (sym.isEmpty()) sym = lib.find(alt);
            if (sym.isEmpty()) throw new CudaException("CUDA driver " + path + " has no symbol " + e.getKey() + " (driver too old?)");
            h.put(e.getKey(), linker.downcallHandle(sym.get(), e.getValue()));
        }
        cuInit = h.get("cuInit");
        cuDeviceGetCount = h.get("cuDeviceGetCount");
        cuDeviceGet = h.get("cuDeviceGet");
        cuDeviceGetName = h.get("cuDeviceGetName");
        cuDeviceGetAttribute = h.get("cuDeviceGetAttribute");
        cuDeviceTotalMem = h.get("cuDeviceTotalMem_v2");
        cuDevicePrimaryCtxRetain = h.get("cuDevicePrimaryCtxRetain");
        cuDevicePrimaryCtxRelease = h.get("cuDevicePrimaryCtxRelease_v2");
        cuCtxSetCurrent = h.get("cuCtxSetCurrent");
        cuStreamCreate = h.get("cuStreamCreate");
        cuStreamDestroy = h.get("cuStreamDestroy_v2");
        cuStreamSynchronize = h.get("cuStreamSynchronize");
        cuEventCreate = h.get("cuEventCreate");
        cuEventRecord = h.get("cuEventRecord");
        cuEventSynchronize = h.get("cuEventSynchronize");
        cuEventElapsedTime = h.get("cuEventElapsedTime_v2");
        cuEventDestroy = h.get("cuEventDestroy_v2");
        cuMemAlloc = h.get("cuMemAlloc_v2");
        cuMemFree = h.get("cuMemFree_v2");
        cuMemAllocHost = h.get("cuMemAllocHost_v2");
        cuMemFreeHost = h.get("cuMemFreeHost");
        cuMemcpyHtoD = h.get("cuMemcpyHtoD_v2");
        cuMemcpyDtoH = h.get("cuMemcpyDtoH_v2");
        cuMemcpyDtoD = h.get("cuMemcpyDtoD_v2");
        cuMemcpyHtoDAsync = h.get("cuMemcpyHtoDAsync_v2");
        cuMemcpyDtoHAsync = h.get("cuMemcpyDtoHAsync_v2");
        cuMemcpyDtoDAsync = h.get("cuMemcpyDtoDAsync_v2");
        cuModuleLoadData = h.get("cuModuleLoadData");
        cuModuleGetFunction = h.get("cuModuleGetFunction");
        cuModuleUnload = h.get("cuModuleUnload");
        cuLaunchKernel = h.get("cuLaunchKernel");
        cuGetErrorName = h.get("cuGetErrorName");
        cuGetErrorString = h.get("cuGetErrorString");
    }

    // ------------------------------------------------------------------ loading

    /**
     * The driver, loaded and initialised once (cuInit(0)); empty when libcuda is absent or cuInit fails, with one log
     * line saying why ({@link #unavailableReason()}).
     */
    public static Optional<CudaDriver> tryLoad() {
        Optional<CudaDriver> d = loaded;
        if (d != null) return d;
        synchronized (LOCK) {
            if (loaded != null) return loaded;
            NativeLibraries.Located loc = NativeLibraries.locate(ENV, List.of("libcuda.so.1", "libcuda.so"), NativeLibraries.DEFAULT_DIRS, System::getenv);
            Optional<CudaDriver> result = Optional.empty();
            if (!loc.found()) {
                unavailable = "no CUDA: libcuda.so.1 not found (searched " + loc.searched() + ")";
            } else {
                try {
                    CudaDriver drv = new CudaDriver(loc.path(), SymbolLookup.libraryLookup(loc.path(), Arena.global()));
                    drv.init();
                    result = Optional.of(drv);
                } catch (CudaException | IllegalArgumentException | IllegalCallerException e) {
                    unavailable = "no CUDA: " + loc.path() + " found but unusable: " + e.getMessage();
                }
            }
            if (result.isEmpty()) System.getLogger("fuse3d.cuda").log(System.Logger.Level.INFO, unavailable);
            loaded = result;
            return result;
        }
    }

    /** The loaded driver, or a {@link CudaException} saying why there is none (an explicit request for CUDA). */
    public static CudaDriver require(String what) {
        return tryLoad().orElseThrow(() -> new CudaException(what + " needs CUDA, but this machine has none: " + unavailable
                + "; set " + ENV + " to libcuda.so.1 if the driver is installed elsewhere"));
    }

    /** Why {@link #tryLoad()} found no driver, or null when it found one (or was not called yet). */
    public static String unavailableReason() {
        tryLoad();
        return unavailable;
    }

    public Path path() { return path; }

    // ------------------------------------------------------------------ errors

    private static RuntimeException rethrow(String call, Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new CudaException(call + ": native call failed", t);
    }

    /** Throws a {@link CudaException} for a non-zero CUresult: "call: NAME (description)". */
    public void check(int rc, String call) {
        if (rc != 0) throw new CudaException(call, rc, call + " failed: " + errorName(rc) + " (" + errorString(rc) + ")");
    }

    /** cuGetErrorName, or "CUresult N" when the driver does not know the code. */
    public String errorName(int rc) { return errorText(cuGetErrorName, rc, "CUresult " + rc); }

    /** cuGetErrorString, or "unknown error" when the driver does not know the code. */
    public String errorString(int rc) { return errorText(cuGetErrorString, rc, "unknown error"); }

    private static String errorText(MethodHandle h, int rc, String fallback) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            int r = (int) h.invokeExact(rc, p);
            MemorySegment s = p.get(ADDRESS, 0);
            return r != 0 || s.address() == 0 ? fallback : s.reinterpret(4096).getString(0);
        } catch (Throwable t) {
            return fallback;
        }
    }

    // ------------------------------------------------------------------ device

    public void init() {
        try {
            check((int) cuInit.invokeExact(0), "cuInit");
        } catch (Throwable t) {
            throw rethrow("cuInit", t);
        }
    }

    public int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(JAVA_INT);
            check((int) cuDeviceGetCount.invokeExact(n), "cuDeviceGetCount");
            return n.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow("cuDeviceGetCount", t);
        }
    }

    /** The CUdevice handle of an ordinal. */
    public int device(int ordinal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment d = a.allocate(JAVA_INT);
            check((int) cuDeviceGet.invokeExact(d, ordinal), "cuDeviceGet");
            return d.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow("cuDeviceGet", t);
        }
    }

    public String deviceName(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(256);
            check((int) cuDeviceGetName.invokeExact(s, 256, dev), "cuDeviceGetName");
            return s.getString(0);
        } catch (Throwable t) {
            throw rethrow("cuDeviceGetName", t);
        }
    }

    public int attribute(int attr, int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) cuDeviceGetAttribute.invokeExact(v, attr, dev), "cuDeviceGetAttribute");
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow("cuDeviceGetAttribute", t);
        }
    }

    /** Compute capability as major * 10 + minor (90 for an H100). */
    public int computeCapability(int dev) { return attribute(ATTR_CC_MAJOR, dev) * 10 + attribute(ATTR_CC_MINOR, dev); }

    public long totalMem(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_LONG);
            check((int) cuDeviceTotalMem.invokeExact(v, dev), "cuDeviceTotalMem_v2");
            return v.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow("cuDeviceTotalMem_v2", t);
        }
    }

    // ------------------------------------------------------------------ context

    public MemorySegment primaryCtxRetain(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check((int) cuDevicePrimaryCtxRetain.invokeExact(p, dev), "cuDevicePrimaryCtxRetain");
            return p.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow("cuDevicePrimaryCtxRetain", t);
        }
    }

    public void primaryCtxRelease(int dev) {
        try {
            check((int) cuDevicePrimaryCtxRelease.invokeExact(dev), "cuDevicePrimaryCtxRelease_v2");
        } catch (Throwable t) {
            throw rethrow("cuDevicePrimaryCtxRelease_v2", t);
        }
    }

    public void ctxSetCurrent(MemorySegment ctx) {
        try {
            check((int) cuCtxSetCurrent.invokeExact(ctx), "cuCtxSetCurrent");
        } catch (Throwable t) {
            throw rethrow("cuCtxSetCurrent", t);
        }
    }

    // ------------------------------------------------------------------ streams and events

    public MemorySegment streamCreate(int flags) { return create(cuStreamCreate, "cuStreamCreate", flags); }

    public void streamDestroy(MemorySegment s) { call1(cuStreamDestroy, "cuStreamDestroy_v2", s); }

    public void streamSynchronize(MemorySegment s) { call1(cuStreamSynchronize, "cuStreamSynchronize", s); }

    public MemorySegment eventCreate(int flags) { return create(cuEventCreate, "cuEventCreate", flags); }

    public void eventRecord(MemorySegment ev, MemorySegment stream) {
        try {
            check((int) cuEventRecord.invokeExact(ev, stream), "cuEventRecord");
        } catch (Throwable t) {
            throw rethrow("cuEventRecord", t);
        }
    }

    public void eventSynchronize(MemorySegment ev) { call1(cuEventSynchronize, "cuEventSynchronize", ev); }

    /** Milliseconds between two recorded events. */
    public float eventElapsedTime(MemorySegment start, MemorySegment end) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ms = a.allocate(JAVA_FLOAT);
            check((int) cuEventElapsedTime.invokeExact(ms, start, end), "cuEventElapsedTime_v2");
            return ms.get(JAVA_FLOAT, 0);
        } catch (Throwable t) {
            throw rethrow("cuEventElapsedTime_v2", t);
        }
    }

    public void eventDestroy(MemorySegment ev) { call1(cuEventDestroy, "cuEventDestroy_v2", ev); }

    private MemorySegment create(MethodHandle h, String call, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check((int) h.invokeExact(p, flags), call);
            return p.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(call, t);
        }
    }

    private void call1(MethodHandle h, String call, MemorySegment arg) {
        try {
            check((int) h.invokeExact(arg), call);
        } catch (Throwable t) {
            throw rethrow(call, t);
        }
    }

    // ------------------------------------------------------------------ memory

    /** A device allocation of {@code bytes}; its CUdeviceptr. */
    public long memAlloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_LONG);
            check((int) cuMemAlloc.invokeExact(p, bytes), "cuMemAlloc_v2");
            return p.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow("cuMemAlloc_v2", t);
        }
    }

    public void memFree(long dptr) {
        try {
            check((int) cuMemFree.invokeExact(dptr), "cuMemFree_v2");
        } catch (Throwable t) {
            throw rethrow("cuMemFree_v2", t);
        }
    }

    /** Page-locked host memory of {@code bytes} (free with {@link #memFreeHost}). */
    public MemorySegment memAllocHost(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check((int) cuMemAllocHost.invokeExact(p, bytes), "cuMemAllocHost_v2");
            return p.get(ADDRESS, 0).reinterpret(bytes);
        } catch (Throwable t) {
            throw rethrow("cuMemAllocHost_v2", t);
        }
    }

    public void memFreeHost(MemorySegment p) { call1(cuMemFreeHost, "cuMemFreeHost", p); }

    public void memcpyHtoD(long dst, MemorySegment src, long bytes) {
        try {
            check((int) cuMemcpyHtoD.invokeExact(dst, src, bytes), "cuMemcpyHtoD_v2");
        } catch (Throwable t) {
            throw rethrow("cuMemcpyHtoD_v2", t);
        }
    }

    public void memcpyDtoH(MemorySegment dst, long src, long bytes) {
        try {
            check((int) cuMemcpyDtoH.invokeExact(dst, src, bytes), "cuMemcpyDtoH_v2");
        } catch (Throwable t) {
            throw rethrow("cuMemcpyDtoH_v2", t);
        }
    }

    public void memcpyDtoD(long dst, long src, long bytes) {
        try {
            check((int) cuMemcpyDtoD.invokeExact(dst, src, bytes), "cuMemcpyDtoD_v2");
        } catch (Throwable t) {
            throw rethrow("cuMemcpyDtoD_v2", t);
        }
    }

    /** Asynchronous host-to-device copy on a stream; src should be pinned ({@link #memAllocHost}) to overlap. */
    public void memcpyHtoDAsync(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        try {
            check((int) cuMemcpyHtoDAsync.invokeExact(dst, src, bytes, stream), "cuMemcpyHtoDAsync_v2");
        } catch (Throwable t) {
            throw rethrow("cuMemcpyHtoDAsync_v2", t);
        }
    }

    public void memcpyDtoHAsync(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        try {
            check((int) cuMemcpyDtoHAsync.invokeExact(dst, src, bytes, stream), "cuMemcpyDtoHAsync_v2");
        } catch (Throwable t) {
            throw rethrow("cuMemcpyDtoHAsync_v2", t);
        }
    }

    public void memcpyDtoDAsync(long dst, long src, long bytes, MemorySegment stream) {
        try {
            check((int) cuMemcpyDtoDAsync.invokeExact(dst, src, bytes, stream), "cuMemcpyDtoDAsync_v2");
        } catch (Throwable t) {
            throw rethrow("cuMemcpyDtoDAsync_v2", t);
        }
    }

    // ------------------------------------------------------------------ modules and launch

    /** Loads a module from a NUL-terminated PTX image (or a cubin). */
    public MemorySegment moduleLoadData(MemorySegment image) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check((int) cuModuleLoadData.invokeExact(p, image), "cuModuleLoadData");
            return p.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow("cuModuleLoadData", t);
        }
    }

    public MemorySegment moduleGetFunction(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            int rc = (int) cuModuleGetFunction.invokeExact(p, module, a.allocateFrom(name));
            check(rc, "cuModuleGetFunction(" + name + ")");
            return p.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow("cuModuleGetFunction", t);
        }
    }

    public void moduleUnload(MemorySegment module) { call1(cuModuleUnload, "cuModuleUnload", module); }

    /** cuLaunchKernel with a {@code void**} parameter array (see fuse3d.cuda.kernels.KernelArgs) and no extra. */
    public void launchKernel(MemorySegment fn, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes, MemorySegment stream,
                             MemorySegment params) {
        try {
            check((int) cuLaunchKernel.invokeExact(fn, gx, gy, gz, bx, by, bz, sharedBytes, stream, params, MemorySegment.NULL), "cuLaunchKernel");
        } catch (Throwable t) {
            throw rethrow("cuLaunchKernel", t);
        }
    }
}
