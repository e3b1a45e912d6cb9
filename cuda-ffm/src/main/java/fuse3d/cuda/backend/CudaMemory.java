package fuse3d.cuda.backend;

import fuse3d.cuda.runtime.CudaContext;
import fuse3d.cuda.runtime.DeviceBuffer;
import fuse3d.tensor.Device;
import fuse3d.tensor.DeviceMemory;

/** The device memory behind a CUDA tensor's storage: a GC-owned {@link DeviceBuffer} of one context. */
record CudaMemory(CudaContext context, DeviceBuffer buffer) implements DeviceMemory {
    @Override
    public Device device() { return Device.cuda(context.ordinal()); }

    @Override
    public long address() { return buffer.address(); }

    @Override
    public long bytes() { return buffer.bytes(); }
}
