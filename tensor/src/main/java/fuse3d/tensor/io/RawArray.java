package fuse3d.tensor.io;

import fuse3d.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * An n-dimensional array as a file holds it: a dtype, a shape and the elements' little-endian bytes in C
 * (row-major) order, independent of the Tensor class.
 *
 * <p>{@code data} is exactly {@code numel * dtype.byteSize()} bytes; the constructor takes the bytes from the
 * buffer's position to its limit without copying them and keeps a read-only little-endian view, which
 * {@link #data()} hands out with position 0 each time. BOOL elements must be 0 or 1. {@code shape} is copied
 * in and out. Equality compares dtype, shape and bytes (so {@code -0.0 != 0.0} and NaN payloads matter).
 *
 * <p>The {@code toXxxArray} conversions always succeed when they cannot lose information, and also for the
 * usual rounding conversions to float/double (as {@code torch.Tensor.float()} does). Conversions that would
 * change a value fail with an {@link IllegalArgumentException} naming the first offending element: a
 * non-integral or out-of-range float to int/long, an int64 outside the int range to int, and anything other
 * than 0/1 to boolean.
 */
public record RawArray(DType dtype, int[] shape, ByteBuffer data) {

    public RawArray {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        long numel = numelOf(shape);
        long bytes = numel * dtype.byteSize(); // numel * 8 cannot overflow: numelOf caps numel at 2^31
        ByteBuffer d = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (d.remaining() != bytes)
            throw new IllegalArgumentException("data holds " + d.remaining() + " bytes but shape " + Arrays.toString(shape)
                    + " of " + dtype + " needs " + bytes);
        if (dtype == DType.BOOL) {
            for (int i = 0; i < d.remaining(); i++) {
                byte b = d.get(i);
                if (b != 0 && b != 1) throw new IllegalArgumentException("BOOL byte " + i + " is " + b + ", not 0 or 1");
            }
        }
        data = d.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Product of the dimensions; rejects negative dimensions and arrays too large for one Java buffer. */
    static long numelOf(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n *= d;
            if (n > Integer.MAX_VALUE)
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than 2^31-1 elements");
        }
        return n;
    }

    @Override
    public int[] shape() { return shape.clone(); }

    /** A fresh read-only little-endian view at position 0 (callers may move its position freely). */
    @Override
    public ByteBuffer data() { return data.duplicate().order(ByteOrder.LITTLE_ENDIAN); }

    /** Number of elements (1 for a scalar of shape {@code []}). */
    public int numel() { return data.capacity() / dtype.byteSize(); }

    public int ndim() { return shape.length; }

    // ------------------------------------------------------------------------------------------------------
    // Factories (each copies the data).

    public static RawArray of(float[] data, int... shape) {
        checkNumel(data.length, shape);
        ByteBuffer b = allocate(data.length, 4);
        b.asFloatBuffer().put(data);
        return new RawArray(DType.FLOAT32, shape, b);
    }

    public static RawArray of(double[] data, int... shape) {
        checkNumel(data.length, shape);
        ByteBuffer b = allocate(data.length, 8);
        b.asDoubleBuffer().put(data);
        return new RawArray(DType.FLOAT64, shape, b);
    }

    public static RawArray of(int[] data, int... shape) {
        checkNumel(data.length, shape);
        ByteBuffer b = allocate(data.length, 4);
        b.asIntBuffer().put(data);
        return new RawArray(DType.INT32, shape, b);
    }

    public static RawArray of(long[] data, int... shape) {
        checkNumel(data.length, shape);
        ByteBuffer b = allocate(data.length, 8);
        b.asLongBuffer().put(data);
        return new RawArray(DType.INT64, shape, b);
    }

    public static RawArray of(boolean[] data, int... shape) {
        checkNumel(data.length, shape);
        ByteBuffer b = allocate(data.length, 1);
        for (int i = 0; i < data.length; i++) b.put(i, data[i] ? (byte) 1 : 0);
        return new RawArray(DType.BOOL, shape, b);
    }

    private static void checkNumel(int length, int[] shape) {
        long numel = numelOf(shape);
        if (numel != length)
            throw new IllegalArgumentException("data has " + length + " elements but shape " + Arrays.toString(shape)
                    + " needs " + numel);
    }

    private static ByteBuffer allocate(int n, int size) {
        return ByteBuffer.allocate(Math.multiplyExact(n, size)).order(ByteOrder.LITTLE_ENDIAN);
    }

    // ------------------------------------------------------------------------------------------------------
    // Conversions.

    public float[] toFloatArray() {
        int n = numel();
        float[] out = new float[n];
        switch (dtype) {
            case FLOAT32 -> data().asFloatBuffer().get(out);
            case FLOAT64 -> { for (int i = 0; i < n; i++) out[i] = (float) data.getDouble(8 * i); }
            case INT32 -> { for (int i = 0; i < n; i++) out[i] = data.getInt(4 * i); }
            case INT64 -> { for (int i = 0; i < n; i++) out[i] = data.getLong(8 * i); }
            case BOOL -> { for (int i = 0; i < n; i++) out[i] = data.get(i); }
        }
        return out;
    }

    public double[] toDoubleArray() {
        int n = numel();
        double[] out = new double[n];
        switch (dtype) {
            case FLOAT64 -> data().asDoubleBuffer().get(out);
            case FLOAT32 -> { for (int i = 0; i < n; i++) out[i] = data.getFloat(4 * i); }
            case INT32 -> { for (int i = 0; i < n; i++) out[i] = data.getInt(4 * i); }
            case INT64 -> { for (int i = 0; i < n; i++) out[i] = data.getLong(8 * i); }
            case BOOL -> { for (int i = 0; i < n; i++) out[i] = data.get(i); }
        }
        return out;
    }

    public int[] toIntArray() {
        int n = numel();
        int[] out = new int[n];
        switch (dtype) {
            case INT32 -> data().asIntBuffer().get(out);
            case BOOL -> { for (int i = 0; i < n; i++) out[i] = data.get(i); }
            case INT64 -> {
                for (int i = 0; i < n; i++) {
                    long v = data.getLong(8 * i);
                    if (v != (int) v) throw notConvertible(i, Long.toString(v), "int");
                    out[i] = (int) v;
                }
            }
            case FLOAT32, FLOAT64 -> {
                for (int i = 0; i < n; i++) {
                    double v = dtype == DType.FLOAT32 ? data.getFloat(4 * i) : data.getDouble(8 * i);
                    // The range test also rejects NaN and the infinities.
                    if (!(v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) || v != Math.rint(v))
                        throw notConvertible(i, Double.toString(v), "int");
                    out[i] = (int) v;
                }
            }
        }
        return out;
    }

    public long[] toLongArray() {
        int n = numel();
        long[] out = new long[n];
        switch (dtype) {
            case INT64 -> data().asLongBuffer().get(out);
            case INT32 -> { for (int i = 0; i < n; i++) out[i] = data.getInt(4 * i); }
            case BOOL -> { for (int i = 0; i < n; i++) out[i] = data.get(i); }
            case FLOAT32, FLOAT64 -> {
                for (int i = 0; i < n; i++) {
                    double v = dtype == DType.FLOAT32 ? data.getFloat(4 * i) : data.getDouble(8 * i);
                    // 2^63 is the first double above Long.MAX_VALUE; -2^63 itself is representable.
                    if (!(v >= -0x1p63 && v < 0x1p63) || v != Math.rint(v))
                        throw notConvertible(i, Double.toString(v), "long");
                    out[i] = (long) v;
                }
            }
        }
        return out;
    }

    public boolean[] toBooleanArray() {
        int n = numel();
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) {
            double v = switch (dtype) {
                case BOOL -> data.get(i);
                case INT32 -> data.getInt(4 * i);
                case INT64 -> {
                    long l = data.getLong(8 * i);
                    yield l == 0 || l == 1 ? l : 2; // 2: any non-0/1 value, without rounding large longs
                }
                case FLOAT32 -> data.getFloat(4 * i);
                case FLOAT64 -> data.getDouble(8 * i);
            };
            if (v != 0 && v != 1) throw notConvertible(i, dtype == DType.INT64 ? Long.toString(data.getLong(8 * i))
                    : Double.toString(v), "boolean (only 0 and 1 convert)");
            out[i] = v == 1;
        }
        return out;
    }

    private IllegalArgumentException notConvertible(int i, String value, String target) {
        return new IllegalArgumentException("element " + i + " (" + value + ") of a " + dtype + " array of shape "
                + Arrays.toString(shape) + " cannot be converted to " + target + " without changing its value");
    }

    // ------------------------------------------------------------------------------------------------------

    @Override
    public boolean equals(Object o) {
        return o instanceof RawArray r && dtype == r.dtype && Arrays.equals(shape, r.shape) && data.equals(r.data);
    }

    @Override
    public int hashCode() { return Objects.hash(dtype, Arrays.hashCode(shape), data); }

    @Override
    public String toString() {
        return "RawArray[" + dtype + " " + Arrays.toString(shape) + ", " + data.capacity() + " bytes]";
    }
}
