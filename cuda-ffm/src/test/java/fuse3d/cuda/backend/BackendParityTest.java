package fuse3d.cuda.backend;

import fuse3d.cuda.driver.CudaDriver;
import fuse3d.cuda.runtime.CudaContext;
import fuse3d.tensor.Device;

/** The backend parity cases on a real GPU (cuda:0); every case skips, saying why, on a machine without one. */
class BackendParityTest extends BackendParityCases {
    @Override
    Device device() { return Device.cuda(0); }

    @Override
    String unavailable() {
        return CudaContext.available() ? null : "no CUDA device (" + CudaDriver.unavailableReason() + "): backend parity on a GPU runs only on a GPU machine";
    }
}
