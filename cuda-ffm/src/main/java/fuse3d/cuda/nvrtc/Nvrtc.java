package fuse3d.cuda.nvrtc;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import fuse3d.cuda.CudaException;
import fuse3d.cuda.driver.NativeLibraries;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * NVRTC (libnvrtc.so*) bound with java.lang.foreign: compiles CUDA C source text to PTX for the running device's
 * architecture at run time. Every nvrtcResult is checked; a failed compile throws with the program log.
 */
public final class Nvrtc {
    /** The environment variable naming libnvrtc (a file or a directory). */
    public static final String ENV = "FUSE3D_NVRTC_LIB";

    /** Every bound symbol and its descriptor (nvrtcResult and handles as int / address). */
    public static final Map<String, FunctionDescriptor> FUNCTIONS;

    static {
        Map<String, FunctionDescriptor> m = new LinkedHashMap<>();
        m.put("nvrtcVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        m.put("nvrtcCreateProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        m.put("nvrtcCompileProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        m.put("nvrtcGetProgramLogSize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        m.put("nvrtcGetProgramLog", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        m.put("nvrtcGetPTXSize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        m.put("nvrtcGetPTX", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        m.put("nvrtcDestroyProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("nvrtcGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        FUNCTIONS = Collections.unmodifiableMap(m);
    }

    private static final Object LOCK = new Object();
    private static volatile Optional<Nvrtc> loaded;
    private static volatile String unavailable;

    private final Path path;
    private final MethodHandle version, create, compile, logSize, log, ptxSize, ptx, destroy, errorString;

    private Nvrtc(Path path, SymbolLookup lib) {
        this.path = path;
        Linker linker = Linker.nativeLinker();
        Map<String, MethodHandle> h = new LinkedHashMap<>();
        for (var e : FUNCTIONS.entrySet())
            h.put(e.getKey(), linker.downcallHandle(lib.find(e.getKey())
                    .orElseThrow(() -> new CudaException("NVRTC " + path + " has no symbol " + e.getKey())), e.getValue()));
        version = h.get("nvrtcVersion");
        create = h.get("nvrtcCreateProgram");
        compile = h.get("nvrtcCompileProgram");
        logSize = h.get("nvrtcGetProgramLogSize");
        log = h.get("nvrtcGetProgramLog");
        ptxSize = h.get("nvrtcGetPTXSize");
        ptx = h.get("nvrtcGetPTX");
        destroy = h.get("nvrtcDestroyProgram");
        errorString = h.get("nvrtcGetErrorString");
    }

    /** NVRTC, loaded once; empty (one log line saying why) when libnvrtc is not found. */
    public static Optional<Nvrtc> tryLoad() {
        Optional<Nvrtc> n = loaded;
        if (n != null) return n;
        synchronized (LOCK) {
            if (loaded != null) return loaded;
            NativeLibraries.Located loc = NativeLibraries.locate(ENV, List.of("libnvrtc.so*"), NativeLibraries.DEFAULT_DIRS, System::getenv);
            Optional<Nvrtc> result = Optional.empty();
            if (!loc.found()) {
                unavailable = "no NVRTC: libnvrtc.so* not found (searched " + loc.searched() + ")";
            } else {
                try {
                    preloadBuiltins(loc.path());
                    result = Optional.of(new Nvrtc(loc.path(), SymbolLookup.libraryLookup(loc.path(), Arena.global())));
                } catch (CudaException | IllegalArgumentException | IllegalCallerException e) {
                    unavailable = "no NVRTC: " + loc.path() + " found but unusable: " + e.getMessage();
                }
            }
            if (result.isEmpty()) System.getLogger("fuse3d.cuda").log(System.Logger.Level.INFO, unavailable);
            loaded = result;
            return result;
        }
    }

    public static Nvrtc require(String what) {
        return tryLoad().orElseThrow(() -> new CudaException(what + " needs NVRTC to compile its kernels: " + unavailable + "; set " + ENV));
    }

    /**
     * NVRTC opens libnvrtc-builtins lazily by name; loading it from the same directory first keeps a library found via
     * the environment variable from failing on a machine whose loader path does not hold it.
     */
    private static void preloadBuiltins(Path nvrtc) {
        Path dir = nvrtc.getParent();
        if (dir == null) return;
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator)
                if (p.getFileName().toString().startsWith("libnvrtc-builtins.so")) {
                    SymbolLookup.libraryLookup(p, Arena.global());
                    return;
                }
        } catch (Exception ignored) {
            // best effort: NVRTC then searches the loader path itself
        }
    }

    public Path path() { return path; }

    private String errorString(int rc) {
        try {
            MemorySegment s = (MemorySegment) errorString.invokeExact(rc);
            return s.address() == 0 ? "nvrtcResult " + rc : s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "nvrtcResult " + rc;
        }
    }

    private void check(int rc, String call) {
        if (rc != 0) throw new CudaException(call, rc, call + " failed: " + errorString(rc) + " (nvrtcResult " + rc + ")");
    }

    private static RuntimeException rethrow(String call, Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new CudaException(call + ": native call failed", t);
    }

    /** NVRTC's version as {major, minor}. */
    public int[] version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment maj = a.allocate(JAVA_INT), min = a.allocate(JAVA_INT);
            check((int) version.invokeExact(maj, min), "nvrtcVersion");
            return new int[] {maj.get(JAVA_INT, 0), min.get(JAVA_INT, 0)};
        } catch (Throwable t) {
            throw rethrow("nvrtcVersion", t);
        }
    }

    /** The options for a device of compute capability cc (major * 10 + minor), plus any extra ones. */
    public static List<String> options(int cc, List<String> extra) {
        List<String> o = new ArrayList<>();
        o.add("--gpu-architecture=compute_" + cc);
        o.add("--std=c++17");
        o.addAll(extra);
        return o;
    }

    /**
     * Compiles source (named name in messages) with options; returns the PTX text. A failed compile throws with the
     * program log.
     */
    public String compileToPtx(String source, String name, List<String> options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment progOut = a.allocate(ADDRESS);
            check((int) create.invokeExact(progOut, a.allocateFrom(source), a.allocateFrom(name), 0, MemorySegment.NULL, MemorySegment.NULL),
                    "nvrtcCreateProgram(" + name + ")");
            MemorySegment prog = progOut.get(ADDRESS, 0);
            try {
                MemorySegment opts = a.allocate(ADDRESS, Math.max(1, options.size()));
                for (int i = 0; i < options.size(); i++) opts.setAtIndex(ADDRESS, i, a.allocateFrom(options.get(i)));
                int rc = (int) compile.invokeExact(prog, options.size(), opts);
                if (rc != 0) {
                    throw new CudaException("nvrtcCompileProgram", rc, "nvrtcCompileProgram(" + name + ", " + options + ") failed: " + errorString(rc)
                            + "\n" + programLog(a, prog));
                }
                MemorySegment size = a.allocate(JAVA_LONG);
                check((int) ptxSize.invokeExact(prog, size), "nvrtcGetPTXSize(" + name + ")");
                MemorySegment buf = a.allocate(size.get(JAVA_LONG, 0));
                check((int) ptx.invokeExact(prog, buf), "nvrtcGetPTX(" + name + ")");
                return buf.getString(0);
            } finally {
                int rc = (int) destroy.invokeExact(progOut);
                check(rc, "nvrtcDestroyProgram(" + name + ")");
            }
        } catch (Throwable t) {
            throw rethrow("nvrtcCompileProgram(" + name + ")", t);
        }
    }

    private String programLog(Arena a, MemorySegment prog) throws Throwable {
        MemorySegment size = a.allocate(JAVA_LONG);
        check((int) logSize.invokeExact(prog, size), "nvrtcGetProgramLogSize");
        long n = size.get(JAVA_LONG, 0);
        if (n <= 1) return "(empty log)";
        MemorySegment buf = a.allocate(n);
        check((int) log.invokeExact(prog, buf), "nvrtcGetProgramLog");
        return buf.getString(0);
    }
}
