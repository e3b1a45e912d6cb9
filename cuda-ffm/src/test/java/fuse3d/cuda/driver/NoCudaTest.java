package fuse3d.cuda.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fuse3d.cuda.CudaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Library lookup, and the "no CUDA" behaviour on a machine without the driver. */
class NoCudaTest {
    @TempDir Path dir;

    @Test
    void envVarFileWinsThenDirectoriesInOrder() throws Exception {
        Path lib = Files.createFile(dir.resolve("libcuda.so.1"));
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.createFile(other.resolve("libcuda.so.1"));
        var byEnv = NativeLibraries.locate("X", List.of("libcuda.so.1"), List.of(other), Map.of("X", lib.toString())::get);
        assertEquals(lib, byEnv.path());
        var byDir = NativeLibraries.locate("X", List.of("libcuda.so.1"), List.of(dir.resolve("none"), other), k -> null);
        assertEquals(other.resolve("libcuda.so.1"), byDir.path());
        var envDir = NativeLibraries.locate("X", List.of("libcuda.so.1"), List.of(), Map.of("X", dir.toString())::get);
        assertEquals(lib, envDir.path());
        var missing = NativeLibraries.locate("X", List.of("libcuda.so.1"), List.of(dir.resolve("none")), Map.of("X", dir.resolve("nope").toString())::get);
        assertNull(missing.path());
        assertTrue(missing.searched().contains("no such file"), missing.searched());
    }

    @Test
    void versionGlobPicksTheNewest() throws Exception {
        for (String n : List.of("libnvrtc.so.12", "libnvrtc.so.13.0.88", "libnvrtc.so.9.2", "libnvrtc-builtins.so.13.0")) Files.createFile(dir.resolve(n));
        var hit = NativeLibraries.locate("X", List.of("libnvrtc.so*"), List.of(dir), k -> null);
        assertEquals(dir.resolve("libnvrtc.so.13.0.88"), hit.path());
    }

    @Test
    void withoutTheDriverAnExplicitRequestIsAClearError() {
        assumeTrue(CudaDriver.tryLoad().isEmpty(), "this machine has a working CUDA driver: the no-CUDA path is not exercised");
        String why = CudaDriver.unavailableReason();
        assertTrue(why.startsWith("no CUDA: "), why);
        CudaException e = assertThrows(CudaException.class, () -> CudaDriver.require("tensor on cuda:0"));
        assertTrue(e.getMessage().contains("tensor on cuda:0 needs CUDA") && e.getMessage().contains(CudaDriver.ENV), e.getMessage());
    }
}
