package fuse3d.cuda.sparse;

import fuse3d.cuda.emu.CudaEmulator;
import fuse3d.cuda.runtime.CudaContext;
import org.junit.jupiter.api.AfterAll;

/**
 * The sparse parity cases on the CPU emulator of the kernels (cuda:7), on the first 12,000 points of the scan to keep
 * the emulated block scans fast. Skips, saying why, when the emulator cannot be built.
 */
class EmulatedSparseParityTest extends SparseParityCases {
    private static CudaContext ctx;

    @Override
    int ordinal() { return 7; }

    @Override
    int points() { return 12_000; }

    @Override
    String unavailable() {
        String why = CudaEmulator.unavailable();
        if (why == null && ctx == null) ctx = CudaEmulator.install(7);
        return why;
    }

    @AfterAll
    static void uninstall() {
        if (ctx != null) ctx.close();
        ctx = null;
    }
}
