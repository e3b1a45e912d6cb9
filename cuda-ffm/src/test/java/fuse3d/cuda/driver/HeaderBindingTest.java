package fuse3d.cuda.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fuse3d.cuda.nvrtc.Nvrtc;
import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The FFM descriptors against the CUDA headers: every bound driver symbol exists in cuda.h (directly or as the target
 * of a {@code #define name name_v2}), no bound symbol is a name the header remaps to a newer version (the old-ABI
 * trap), and the parameter count and rough kinds (pointer / handle, 32-bit int, 64-bit int, float) agree.
 */
class HeaderBindingTest {
    static final Path INCLUDE = Path.of(System.getenv().getOrDefault("CUDA_HOME", "/usr/local/cuda"), "include");

    private static final Pattern DECL = Pattern.compile("(\\w+)\\s+(?:CUDAAPI\\s+)?(\\w+)\\s*\\(([^;{()]*)\\)\\s*;");
    private static final Pattern MACRO = Pattern.compile("(?m)^\\s*#define\\s+(\\w+)\\s+(?:__CUDA_API_PTDS|__CUDA_API_PTSZ)?\\(?\\s*(\\w+)\\s*\\)?\\s*$");

    record Decl(String ret, List<String> params) {}

    /** First declaration of each function name (later ones in cuda.h are the legacy ABI block). */
    static Map<String, Decl> declarations(String header) {
        // comments and preprocessor lines out, so a #define's parentheses never start a "declaration"
        String text = header.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ").replaceAll("(?m)^\\s*#.*$", " ");
        Map<String, Decl> out = new HashMap<>();
        Matcher m = DECL.matcher(text);
        while (m.find()) {
            List<String> ps = new ArrayList<>();
            String p = m.group(3).trim();
            if (!p.isEmpty() && !p.equals("void")) for (String s : p.split(",")) ps.add(s.trim().replaceAll("\\s+", " "));
            out.putIfAbsent(m.group(2), new Decl(m.group(1), ps));
        }
        return out;
    }

    static Map<String, String> macros(String header) {
        Map<String, String> out = new HashMap<>();
        Matcher m = MACRO.matcher(header);
        while (m.find()) if (!m.group(1).equals(m.group(2))) out.putIfAbsent(m.group(1), m.group(2));
        return out;
    }

    /** The carrier a C parameter should have in a descriptor. */
    static Class<?> carrierOf(String param) {
        String p = param.replace("const ", "").trim();
        if (p.contains("*")) return java.lang.foreign.MemorySegment.class;
        String type = p.split(" ")[0];
        return switch (type) {
            case "CUdeviceptr", "size_t" -> long.class;
            case "CUcontext", "CUstream", "CUevent", "CUmodule", "CUfunction", "nvrtcProgram" -> java.lang.foreign.MemorySegment.class;
            case "float" -> float.class;
            case "double" -> double.class;
            default -> int.class; // int, unsigned int, CUdevice, enums (CUdevice_attribute, CUresult, ...)
        };
    }

    private static Class<?> carrier(MemoryLayout l) { return ((ValueLayout) l).carrier(); }

    static List<String> check(Map<String, FunctionDescriptor> bound, String header) {
        Map<String, Decl> decls = declarations(header);
        Map<String, String> macros = macros(header);
        Map<String, String> inverse = new HashMap<>();
        for (var e : macros.entrySet()) inverse.putIfAbsent(e.getValue(), e.getKey());
        List<String> problems = new ArrayList<>();
        for (var e : bound.entrySet()) {
            String sym = e.getKey();
            if (macros.containsKey(sym)) {
                problems.add(sym + ": the header remaps it to " + macros.get(sym) + " (binding the plain name gets the old ABI)");
                continue;
            }
            Decl d = decls.get(sym);
            if (d == null && inverse.containsKey(sym)) d = decls.get(inverse.get(sym));
            if (d == null) {
                problems.add(sym + ": not declared in the header, directly or through a #define");
                continue;
            }
            FunctionDescriptor fd = e.getValue();
            if (fd.argumentLayouts().size() != d.params().size()) {
                problems.add(sym + ": " + fd.argumentLayouts().size() + " parameters bound, header has " + d.params().size() + " " + d.params());
                continue;
            }
            for (int i = 0; i < d.params().size(); i++) {
                Class<?> want = carrierOf(d.params().get(i)), got = carrier(fd.argumentLayouts().get(i));
                if (want != got) problems.add(sym + ": parameter " + i + " '" + d.params().get(i) + "' should be " + want + ", bound as " + got);
            }
            Class<?> ret = d.ret().equals("CUresult") || d.ret().equals("nvrtcResult") ? int.class : java.lang.foreign.MemorySegment.class;
            if (fd.returnLayout().isEmpty() || carrier(fd.returnLayout().get()) != ret)
                problems.add(sym + ": returns " + d.ret() + ", bound as " + fd.returnLayout());
        }
        return problems;
    }

    @Test
    void driverBindingsMatchCudaH() throws IOException {
        Path h = INCLUDE.resolve("cuda.h");
        assumeTrue(Files.exists(h), "no " + h + " on this machine: the driver descriptors are not checked against the header");
        List<String> problems = check(CudaDriver.FUNCTIONS, Files.readString(h));
        assertTrue(problems.isEmpty(), "driver bindings vs " + h + ":\n" + String.join("\n", problems));
    }

    @Test
    void nvrtcBindingsMatchNvrtcH() throws IOException {
        Path h = INCLUDE.resolve("nvrtc.h");
        assumeTrue(Files.exists(h), "no " + h + " on this machine (NVRTC's header ships only with the NVRTC package): the NVRTC descriptors "
                + "are not checked against a header in this run");
        String text = Files.readString(h).replace("const char * const *", "const char**");
        List<String> problems = check(Nvrtc.FUNCTIONS, text);
        assertTrue(problems.isEmpty(), "NVRTC bindings vs " + h + ":\n" + String.join("\n", problems));
    }

    @Test
    void theCheckCatchesTheOldAbiAndWrongKinds() {
        // a miniature header in cuda.h's style: the check itself must be able to fail
        String header = "#define cuMemAlloc cuMemAlloc_v2\n#define cuMemcpyHtoD __CUDA_API_PTDS(cuMemcpyHtoD_v2)\n"
                + "CUresult CUDAAPI cuMemAlloc(CUdeviceptr *dptr, size_t bytesize);\n"
                + "CUresult CUDAAPI cuMemcpyHtoD(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount);\n";
        var L = ValueLayout.JAVA_LONG;
        var A = ValueLayout.ADDRESS;
        var I = ValueLayout.JAVA_INT;
        assertEquals(List.of(), check(Map.of("cuMemAlloc_v2", FunctionDescriptor.of(I, A, L), "cuMemcpyHtoD_v2", FunctionDescriptor.of(I, L, A, L)), header));
        assertFalse(check(Map.of("cuMemAlloc", FunctionDescriptor.of(I, A, L)), header).isEmpty(), "plain (old-ABI) name accepted");
        assertFalse(check(Map.of("cuMemAlloc_v2", FunctionDescriptor.of(I, A, I)), header).isEmpty(), "32-bit size accepted");
        assertFalse(check(Map.of("cuMemcpyHtoD_v2", FunctionDescriptor.of(I, L, A)), header).isEmpty(), "missing parameter accepted");
        assertNotNull(macros(header).get("cuMemcpyHtoD"));
    }
}
