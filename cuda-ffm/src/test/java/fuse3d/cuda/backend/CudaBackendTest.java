package fuse3d.cuda.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import fuse3d.cuda.CudaException;
import fuse3d.cuda.bench.CudaBench;
import fuse3d.cuda.runtime.CudaContext;
import fuse3d.tensor.Backend;
import fuse3d.tensor.Backends;
import fuse3d.tensor.Device;
import fuse3d.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the backend does on any machine: found by ServiceLoader, owns "cuda" devices, fails clearly without CUDA. */
class CudaBackendTest {

    @Test
    void serviceLoaderFindsTheBackendForCudaDevicesOnly() {
        assertTrue(Backends.all().stream().anyMatch(b -> b.name().equals("cuda")), "ServiceLoader did not find CudaBackend");
        Backend b = Backends.forDevice(Device.cuda(0));
        assertInstanceOf(CudaBackend.class, b);
        assertTrue(b.supports(Device.cuda(3)));
        assertFalse(b.supports(Device.CPU));
        assertEquals("cpu", Backends.forDevice(Device.CPU).name(), "the CPU path is untouched");
        assertFalse(CudaBackend.FALLBACK.isEmpty());
        assertTrue(b.extraKernels().contains("sgemm_tiled"));
    }

    @Test
    void withoutCudaAnExplicitRequestIsAClearError() {
        assumeFalse(CudaContext.available(), "this machine has a CUDA device: the no-CUDA error path is not exercised");
        Tensor x = Tensor.ones(2, 3);
        CudaException e = assertThrows(CudaException.class, () -> x.to(Device.cuda(0)));
        assertTrue(e.getMessage().contains("device cuda:0 needs CUDA") && e.getMessage().contains("no CUDA"), e.getMessage());
        // the host tensor is untouched and still usable
        assertEquals(6.0, x.sum().item());
    }

    @Test
    void benchWithoutCudaPrintsOneClearErrorAndExitCode2() {
        assumeFalse(CudaContext.available(), "this machine has a CUDA device: the bench runs for real instead");
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = CudaBench.run("tensor", "cuda", true, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, rc);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.startsWith("bench tensor --device cuda:0: ") && e.contains("no CUDA"), e);
        assertEquals(1, e.strip().lines().count(), e);
        assertEquals(1, CudaBench.run("tensor", "cpu", true, new PrintStream(out), new PrintStream(err)), "the CPU bench is not CudaBench's");
    }
}
