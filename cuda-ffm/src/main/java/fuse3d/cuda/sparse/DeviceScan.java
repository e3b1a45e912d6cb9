package fuse3d.cuda.sparse;

import fuse3d.cuda.kernels.DevicePtr;
import fuse3d.cuda.runtime.CudaContext;
import fuse3d.cuda.runtime.DeviceBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Exclusive prefix sums of int32 device arrays (scan_block_i32 / scan_add_i32), recursive over the block totals. */
final class DeviceScan {
    private DeviceScan() {}

    private static final int BLOCK = 1024;

    /** out[i] = sum of in[0..i); returns the total (read back to the host). */
    static int exclusive(CudaContext c, DevicePtr in, DevicePtr out, int n) {
        if (n == 0) return 0;
        int blocks = (n + BLOCK - 1) / BLOCK;
        try (DeviceBuffer sums = c.allocate(4L * blocks); DeviceBuffer offs = c.allocate(4L * blocks)) {
            c.launch("scan_block_i32", blocks, 1, 1, BLOCK, 1, 1, 0, in, out, sums.ptr(), n);
            int total;
            if (blocks == 1) {
                total = readInt(c, sums.address());
            } else {
                total = exclusive(c, sums.ptr(), offs.ptr(), blocks);
                c.launch("scan_add_i32", blocks, 1, 1, BLOCK, 1, 1, 0, out, offs.ptr(), n);
            }
            return total;
        }
    }

    static int readInt(CudaContext c, long address) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(4);
            c.download(m, address, 4);
            return m.get(ValueLayout.JAVA_INT, 0);
        }
    }
}
