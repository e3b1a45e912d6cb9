package fuse3d.cuda.emu;

import static fuse3d.tensor.testing.Closeness.assertClose;
import static org.junit.jupiter.api.Assertions.assertNull;

import fuse3d.cuda.runtime.CudaContext;
import fuse3d.tensor.Device;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The emulator builds and runs a kernel of each kind (grid-stride, block-reduction with shuffles, tiled GEMM). */
class EmulatorSmokeTest {
    @Test
    void buildsAndRuns() {
        assertNull(CudaEmulator.unavailable());
        try (CudaContext c = CudaEmulator.install(5)) {
            Device d = Device.cuda(5);
            Tensor x = new Generator(1).uniform(-1, 1, 33, 47);
            assertClose(x.to(d).exp().to(Device.CPU), x.exp(), 1e-6, 1e-6, false, "exp");
            assertClose(x.to(d).sum(new int[] {1}, false).to(Device.CPU), x.sum(new int[] {1}, false), 1e-5, 1e-5, false, "sum");
            assertClose(x.to(d).matmul(x.t().to(d)).to(Device.CPU), x.matmul(x.t()), 1e-5, 1e-5, false, "matmul");
        }
    }
}
