package fuse3d.cuda.backend;

import fuse3d.cuda.kernels.DevicePtr;
import fuse3d.cuda.runtime.CudaContext;
import fuse3d.cuda.runtime.DeviceBuffer;
import fuse3d.tensor.DType;
import fuse3d.tensor.Device;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Storage;
import fuse3d.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Moves tensors between the host and a CUDA device and gives kernels their addresses. Host memory is staged through a
 * native segment (heap arrays cannot be handed to the driver); bool is one byte per element on both sides.
 */
public final class CudaTensors {
    private CudaTensors() {}

    /** The context owning a CUDA tensor. */
    public static CudaContext context(Tensor t) {
        return ((CudaMemory) t.storage().deviceMemory()).context();
    }

    /** A new contiguous, uninitialised device tensor. */
    public static Tensor empty(CudaContext c, DType dt, int[] shape) {
        long n = Shape.numel(shape);
        DeviceBuffer buf = DeviceBuffer.forTensor(c.allocator(), n * dt.byteSize());
        Storage s = Storage.onDevice(dt, (int) n, new CudaMemory(c, buf));
        return new Tensor(s, shape.clone(), Shape.contiguousStrides(shape), 0, Device.cuda(c.ordinal()));
    }

    /** The address of the view's first element. */
    public static DevicePtr ptr(Tensor t) {
        return new DevicePtr(t.storage().deviceMemory().address() + (long) t.offset() * t.dtype().byteSize());
    }

    /** A contiguous device copy of a host tensor. */
    public static Tensor upload(CudaContext c, Tensor host) {
        Tensor h = host.contiguous();
        Tensor d = empty(c, h.dtype(), h.shape());
        int n = h.numel();
        if (n == 0) return d;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = hostSegment(a, h, n);
            c.upload(d.storage().deviceMemory().address(), seg, seg.byteSize());
        }
        return d;
    }

    private static MemorySegment hostSegment(Arena a, Tensor h, int n) {
        int off = h.offset();
        Storage s = h.storage();
        return switch (h.dtype()) {
            case FLOAT32 -> a.allocate(4L * n, 8).copyFrom(MemorySegment.ofArray(s.floats()).asSlice(4L * off, 4L * n));
            case FLOAT64 -> a.allocate(8L * n, 8).copyFrom(MemorySegment.ofArray(s.doubles()).asSlice(8L * off, 8L * n));
            case INT32 -> a.allocate(4L * n, 8).copyFrom(MemorySegment.ofArray(s.ints()).asSlice(4L * off, 4L * n));
            case INT64 -> a.allocate(8L * n, 8).copyFrom(MemorySegment.ofArray(s.longs()).asSlice(8L * off, 8L * n));
            case BOOL -> {
                MemorySegment m = a.allocate(n, 8);
                boolean[] b = s.bools();
                for (int i = 0; i < n; i++) m.set(ValueLayout.JAVA_BYTE, i, (byte) (b[off + i] ? 1 : 0));
                yield m;
            }
        };
    }

    /**
     * A host tensor with the same shape, strides and offset as a device view, over a host copy of its whole storage
     * (so the CPU backend sees exactly the view it would on the host).
     */
    public static Tensor download(Tensor d) {
        Storage ds = d.storage();
        int len = ds.length();
        Storage hs = Storage.allocate(d.dtype(), len);
        if (len > 0) {
            CudaContext c = context(d);
            long bytes = (long) len * d.dtype().byteSize();
            try (Arena a = Arena.ofConfined()) {
                MemorySegment m = a.allocate(bytes, 8);
                c.download(m, ds.deviceMemory().address(), bytes);
                switch (d.dtype()) {
                    case FLOAT32 -> MemorySegment.ofArray(hs.floats()).copyFrom(m);
                    case FLOAT64 -> MemorySegment.ofArray(hs.doubles()).copyFrom(m);
                    case INT32 -> MemorySegment.ofArray(hs.ints()).copyFrom(m);
                    case INT64 -> MemorySegment.ofArray(hs.longs()).copyFrom(m);
                    case BOOL -> {
                        boolean[] b = hs.bools();
                        for (int i = 0; i < len; i++) b[i] = m.get(ValueLayout.JAVA_BYTE, i) != 0;
                    }
                }
            }
        }
        return new Tensor(hs, d.shape(), d.strides(), d.offset(), Device.CPU);
    }

    /** t on c: a host tensor is uploaded (contiguous), a device tensor made contiguous through the host if it is not. */
    public static Tensor onDevice(CudaContext c, Tensor t) {
        if (t.storage().isHost()) return upload(c, t);
        return t.isContiguous() ? t : upload(c, download(t).contiguous());
    }

    /** Writes a host storage back over a device storage of the same length (in-place ops run on the host). */
    static void writeBack(Tensor hostView, Tensor deviceView) {
        Storage hs = hostView.storage();
        int len = hs.length();
        if (len == 0) return;
        Tensor whole = new Tensor(hs, new int[] {len}, new int[] {1}, 0, Device.CPU);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = hostSegment(a, whole, len);
            context(deviceView).upload(deviceView.storage().deviceMemory().address(), seg, seg.byteSize());
        }
    }

    /** Uploads a small int64 array (shapes, strides) for one kernel call; the caller closes the buffer after launch. */
    public static DeviceBuffer meta(CudaContext c, long... values) {
        DeviceBuffer b = c.allocate(8L * Math.max(1, values.length));
        if (values.length > 0)
            try (Arena a = Arena.ofConfined()) {
                MemorySegment m = a.allocate(8L * values.length, 8);
                MemorySegment.copy(values, 0, m, ValueLayout.JAVA_LONG, 0, values.length);
                c.upload(b.address(), m, m.byteSize());
            }
        return b;
    }

    /** Same for int32 arrays (convolution geometry, rulebook geometry). */
    public static DeviceBuffer metaInts(CudaContext c, int... values) {
        DeviceBuffer b = c.allocate(4L * Math.max(1, values.length));
        if (values.length > 0)
            try (Arena a = Arena.ofConfined()) {
                MemorySegment m = a.allocate(4L * values.length, 8);
                MemorySegment.copy(values, 0, m, ValueLayout.JAVA_INT, 0, values.length);
                c.upload(b.address(), m, m.byteSize());
            }
        return b;
    }
}
