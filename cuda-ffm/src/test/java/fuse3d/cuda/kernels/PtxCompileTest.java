package fuse3d.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every kernel source to PTX with nvcc for sm_90 (gemm.cu, the one with arch-dependent code, also for sm_80
 * and sm_75), so a syntax or type error in a .cu resource fails
 * the build on a machine without a GPU (NVRTC compiles the same text at run time). One nvcc call per (arch, fmad)
 * group keeps it to a few seconds. Skips, saying so, when no nvcc is found.
 */
class PtxCompileTest {
    @TempDir Path dir;

    /** nvcc from $CUDA_HOME/bin, then $PATH, then /usr/local/cuda/bin; null when there is none. */
    static Path findNvcc() {
        List<Path> candidates = new ArrayList<>();
        String home = System.getenv("CUDA_HOME");
        if (home != null) candidates.add(Path.of(home, "bin", "nvcc"));
        String path = System.getenv("PATH");
        if (path != null) for (String p : path.split(java.io.File.pathSeparator)) if (!p.isEmpty()) candidates.add(Path.of(p, "nvcc"));
        candidates.add(Path.of("/usr/local/cuda/bin/nvcc"));
        for (Path c : candidates) if (Files.isExecutable(c)) return c;
        return null;
    }

    @Test
    void everySourceCompilesToPtxWithEveryEntryPoint() throws Exception {
        Path nvcc = findNvcc();
        assumeTrue(nvcc != null, "no nvcc found in $CUDA_HOME/bin, $PATH or /usr/local/cuda/bin: the kernel sources are not compiled in this run");
        List<Path> fmad = new ArrayList<>(), noFmad = new ArrayList<>();
        for (String s : KernelCatalog.SOURCES) {
            Path f = dir.resolve(s);
            Files.writeString(f, KernelCatalog.source(s), StandardCharsets.UTF_8);
            (KernelCatalog.NO_FMAD.contains(s) ? noFmad : fmad).add(f);
        }
        // every source for sm_90 (two groups: --fmad=true and false); the only arch-dependent source, gemm.cu (its TF32
        // mma path is #if __CUDA_ARCH__ >= 800), also for sm_80 and for sm_75, where the fallback must compile
        Path gemm = dir.resolve("gemm.cu");
        List<String[]> jobs = List.of(new String[] {"sm_90", "true"}, new String[] {"sm_90", "false"}, new String[] {"sm_80", "true"},
                new String[] {"sm_75", "true"});
        List<Process> running = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (String[] job : jobs) {
            String arch = job[0];
            boolean fm = Boolean.parseBoolean(job[1]);
            List<Path> group = arch.equals("sm_90") ? (fm ? fmad : noFmad) : List.of(gemm);
            Path out = Files.createDirectories(dir.resolve(arch));
            List<String> cmd = new ArrayList<>(List.of(nvcc.toString(), "-ptx", "-arch=" + arch, "-std=c++17", "--fmad=" + fm, "-odir", out.toString()));
            for (Path p : group) cmd.add(p.toString());
            running.add(new ProcessBuilder(cmd).redirectErrorStream(true).start());
            labels.add(String.join(" ", cmd));
        }
        for (int i = 0; i < running.size(); i++) {
            Process p = running.get(i);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "nvcc timed out: " + labels.get(i));
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), "nvcc failed: " + labels.get(i) + "\n" + log);
        }
        for (String s : KernelCatalog.SOURCES) {
            String ptx = readPtx(dir.resolve("sm_90").resolve(s.replace(".cu", ".ptx")));
            for (KernelSpec k : KernelCatalog.ofSource(s)) assertTrue(ptx.contains(".entry " + k.name() + "("), "sm_90 " + s + ": no PTX entry " + k.name());
        }
        // the tensor-core path really uses the tensor cores where it is built
        assertTrue(readPtx(dir.resolve("sm_80/gemm.ptx")).contains("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32"), "sgemm_tf32 has no TF32 mma");
        assertTrue(readPtx(dir.resolve("sm_90/gemm.ptx")).contains("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32"), "sgemm_tf32 has no TF32 mma on sm_90");
        assertTrue(!readPtx(dir.resolve("sm_75/gemm.ptx")).contains("mma.sync"), "sm_75 must not get the sm_80 mma path");
    }

    private static String readPtx(Path p) throws IOException {
        assertTrue(Files.exists(p), "nvcc wrote no " + p);
        return Files.readString(p);
    }
}
