package fuse3d.tests;

import fuse3d.tensor.BinaryOp;
import fuse3d.tensor.DType;
import fuse3d.tensor.Device;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.cpu.CpuBackend;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend found through ServiceLoader (META-INF/services in the test resources) for the made-up device
 * "counting:0": it computes on the host and counts the binary kernels it is asked for, which proves that
 * ops on a non-CPU device reach a plugged-in backend.
 */
public final class CountingTestBackend extends CpuBackend {
    static final Device DEVICE = new Device("counting", 0);
    static final AtomicInteger BINARY_CALLS = new AtomicInteger();

    @Override
    public String name() { return "counting"; }

    @Override
    public boolean supports(Device device) { return device.equals(DEVICE); }

    @Override
    public Tensor zeros(int[] shape, DType dtype) {
        Tensor t = super.zeros(shape, dtype);
        return new Tensor(t.storage(), t.shape(), t.strides(), 0, DEVICE);
    }

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b, DType computeType, DType outType) {
        BINARY_CALLS.incrementAndGet();
        Tensor r = super.binary(op, a, b, computeType, outType);
        return new Tensor(r.storage(), r.shape(), r.strides(), 0, DEVICE);
    }
}
