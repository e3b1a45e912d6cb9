package fuse3d.cuda.emu;

import fuse3d.cuda.kernels.KernelCatalog;
import fuse3d.cuda.kernels.KernelSpec;
import fuse3d.cuda.runtime.CudaContext;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Test helper: builds the kernel sources with g++ against cuda_emu.h into a shared library, once per JVM, and runs
 * launches of a dry-run {@link CudaContext} on it, so the kernels' results can be compared with the CPU references on
 * a machine without a GPU. {@link #unavailable()} says why it cannot be built (no g++) for the skip message.
 */
public final class CudaEmulator {
    /** Kernels that use __syncthreads or warp shuffles: their blocks run as fibers that switch at barriers. */
    static final Set<String> THREADED = Set.of("reduce_rows_f32", "reduce_rows_argext_f32", "scan_block_i32", "softmax_rows_f32",
            "softmax_backward_rows_f32", "sgemm_tiled", "sgemm_tiled_vec4", "sgemm_tf32", "conv_implicit_gemm_f32", "conv_backward_weight_f32", "spconv_bwd_weight_f32",
            "nms_mask_f32");

    private static MethodHandle launch;
    private static String unavailable;
    private static boolean tried;

    private CudaEmulator() {}

    private static Path findGpp() {
        String path = System.getenv("PATH");
        if (path != null) for (String p : path.split(java.io.File.pathSeparator)) if (Files.isExecutable(Path.of(p, "g++"))) return Path.of(p, "g++");
        return null;
    }

    /** Null when the emulator is built, else why not. */
    public static synchronized String unavailable() {
        if (!tried) {
            tried = true;
            try {
                build();
            } catch (Exception e) {
                unavailable = "the CUDA CPU emulator could not be built: " + e.getMessage();
            }
        }
        return unavailable;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = CudaEmulator.class.getResourceAsStream("/fuse3d/cuda/emu/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The registry: every source in its own namespace, one dispatch line per catalogued kernel. */
    static String registry() {
        StringBuilder sb = new StringBuilder("#include \"cuda_emu.h\"\n#include <utility>\n");
        for (String s : KernelCatalog.SOURCES) sb.append("namespace k_").append(s.replace(".cu", "")).append(" {\n#include \"").append(s).append("\"\n}\n");
        sb.append("""
                template <class... A, std::size_t... I>
                static void emu_call(void (*f)(A...), void** p, std::index_sequence<I...>) { f(*static_cast<A*>(p[I])...); }
                template <class... A>
                static std::function<void()> emu_bind(void (*f)(A...), void** p) {
                    return [f, p] { emu_call(f, p, std::index_sequence_for<A...>{}); };
                }
                extern "C" int emu_launch(const char* name, int gx, int gy, int gz, int bx, int by, int bz, void** p) {
                """);
        for (KernelSpec k : KernelCatalog.all())
            sb.append("    if (!std::strcmp(name, \"").append(k.name()).append("\")) return emu_run(gx, gy, gz, bx, by, bz, ")
                    .append(THREADED.contains(k.name())).append(", emu_bind(&k_").append(k.source().replace(".cu", "")).append("::").append(k.name())
                    .append(", p));\n");
        sb.append("    return -1;\n}\n");
        return sb.toString();
    }

    private static void build() throws Exception {
        Path gpp = findGpp();
        if (gpp == null) throw new IllegalStateException("no g++ on $PATH");
        Path dir = Files.createTempDirectory("fuse3d-cuda-emu");
        dir.toFile().deleteOnExit();
        Files.writeString(dir.resolve("cuda_emu.h"), resource("cuda_emu.h"));
        Files.writeString(dir.resolve("cuda_emu.cpp"), resource("cuda_emu.cpp"));
        for (String s : KernelCatalog.SOURCES) Files.writeString(dir.resolve(s), KernelCatalog.source(s));
        Files.writeString(dir.resolve("emu_kernels.cpp"), registry());
        for (String f : new String[] {"cuda_emu.o", "emu_kernels.o", "libfuse3d_cuda_emu.so"}) dir.resolve(f).toFile().deleteOnExit();
        try (var files = Files.list(dir)) {
            files.forEach(f -> f.toFile().deleteOnExit()); // registered after the directory, so deleted before it
        }
        // two translation units compiled side by side, then linked
        List<Process> ps = new ArrayList<>();
        for (String tu : new String[] {"cuda_emu", "emu_kernels"})
            ps.add(new ProcessBuilder(gpp.toString(), "-std=c++20", "-O1", "-fPIC", "-pthread", "-ffp-contract=off", "-c", tu + ".cpp", "-o", tu + ".o")
                    .directory(dir.toFile()).redirectErrorStream(true).start());
        for (Process p : ps) run(p, "g++ -c");
        Path so = dir.resolve("libfuse3d_cuda_emu.so");
        run(new ProcessBuilder(gpp.toString(), "-shared", "-pthread", "-o", so.toString(), "cuda_emu.o", "emu_kernels.o").directory(dir.toFile())
                .redirectErrorStream(true).start(), "g++ -shared");
        SymbolLookup lib = SymbolLookup.libraryLookup(so, Arena.global());
        launch = Linker.nativeLinker().downcallHandle(lib.find("emu_launch").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS));
    }

    private static void run(Process p, String what) throws Exception {
        if (!p.waitFor(300, TimeUnit.SECONDS)) throw new IllegalStateException(what + " timed out");
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) throw new IllegalStateException(what + " failed:\n" + log);
    }

    /** A dry-run context on ordinal whose launches run on the emulator (compute capability 75: no TF32 path). */
    public static CudaContext install(int ordinal) {
        if (unavailable() != null) throw new IllegalStateException(unavailable());
        return CudaContext.installDryRun(ordinal, 75, CudaEmulator::execute);
    }

    private static void execute(String kernel, int gx, int gy, int gz, int bx, int by, int bz, MemorySegment params) {
        int rc;
        try (Arena a = Arena.ofConfined()) {
            rc = (int) launch.invokeExact(a.allocateFrom(kernel), gx, gy, gz, bx, by, bz, params);
        } catch (Throwable t) {
            throw new IllegalStateException("emulated launch of " + kernel + " failed", t);
        }
        if (rc == -1) throw new IllegalStateException("emulator: no kernel " + kernel);
        if (rc == -2) throw new IllegalStateException("emulator: " + kernel + " synchronises but is not in CudaEmulator.THREADED");
        if (rc == -3) throw new IllegalStateException("emulator: " + kernel + " deadlocked: threads wait on a barrier that others never reach");
    }
}
