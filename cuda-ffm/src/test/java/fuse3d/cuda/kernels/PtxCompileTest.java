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
 * Compiles every kernel source to PTX with nvcc for sm_80 and sm_90, so a syntax or type error in a .cu resource fails
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
        List<Process> running = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (String arch : new String[] {"sm_80", "sm_90"}) {
            for (boolean fm : new boolean[] {true, false}) {
                List<Path> group = fm ? fmad : noFmad;
                Path out = Files.createDirectories(dir.resolve(arch));
                List<String> cmd = new ArrayList<>(List.of(nvcc.toString(), "-ptx", "-arch=" + arch, "-std=c++17", "--fmad=" + fm, "-odir", out.toString()));
                for (Path p : group) cmd.add(p.toString());
                running.add(new ProcessBuilder(cmd).redirectErrorStream(true).start());
                labels.add(String.join(" ", cmd));
            }
        }
        for (int i = 0; i < running.size(); i++) {
            Process p = running.get(i);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "nvcc timed out: " + labels.get(i));
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), "nvcc failed: " + labels.get(i) + "\n" + log);
        }
        for (String arch : new String[] {"sm_80", "sm_90"})
            for (String s : KernelCatalog.SOURCES) {
                String ptx = readPtx(dir.resolve(arch).resolve(s.replace(".cu", ".ptx")));
                for (KernelSpec k : KernelCatalog.ofSource(s))
                    assertTrue(ptx.contains(".entry " + k.name() + "("), arch + " " + s + ": no PTX entry " + k.name());
            }
        // the tensor-core path really uses the tensor cores where it is built
        assertTrue(readPtx(dir.resolve("sm_80/gemm.ptx")).contains("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32"), "sgemm_tf32 has no TF32 mma");
    }

    private static String readPtx(Path p) throws IOException {
        assertTrue(Files.exists(p), "nvcc wrote no " + p);
        return Files.readString(p);
    }
}
