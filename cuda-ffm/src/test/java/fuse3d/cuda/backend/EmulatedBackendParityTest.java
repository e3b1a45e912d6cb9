package fuse3d.cuda.backend;

import fuse3d.cuda.emu.CudaEmulator;
import fuse3d.cuda.runtime.CudaContext;
import fuse3d.tensor.Device;
import org.junit.jupiter.api.AfterAll;

/**
 * The backend parity cases on the CPU emulator of the kernels (cuda:6, a dry-run context whose launches run the .cu
 * sources compiled with g++): the kernels' arithmetic and the backend's launch code against the CPU reference, without
 * a GPU. Skips, saying why, when the emulator cannot be built.
 */
class EmulatedBackendParityTest extends BackendParityCases {
    private static CudaContext ctx;

    @Override
    Device device() { return Device.cuda(6); }

    @Override
    String unavailable() {
        String why = CudaEmulator.unavailable();
        if (why == null && ctx == null) ctx = CudaEmulator.install(6);
        return why;
    }

    @AfterAll
    static void uninstall() {
        if (ctx != null) ctx.close();
        ctx = null;
    }
}
