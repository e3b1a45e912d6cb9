package fuse3d.cuda.sparse;

import fuse3d.cuda.driver.CudaDriver;
import fuse3d.cuda.runtime.CudaContext;

/** The sparse parity cases on a real GPU (cuda:0, the whole synthetic scan); skips, saying why, without one. */
class SparseParityTest extends SparseParityCases {
    @Override
    int ordinal() { return 0; }

    @Override
    int points() { return Integer.MAX_VALUE; }

    @Override
    String unavailable() {
        return CudaContext.available() ? null : "no CUDA device (" + CudaDriver.unavailableReason() + "): sparse parity on a GPU runs only on a GPU machine";
    }
}
