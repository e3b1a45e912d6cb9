package fuse3d.tensor;

/**
 * The flat host memory behind one or more tensor views: a primitive array of the tensor's dtype.
 *
 * <p>Generic kernels read and write through {@link #getDouble}/{@link #getLong}; fast kernels take the
 * typed array ({@link #floats()} etc.) and index it with the view's offset and strides.
 *
 * <p>A storage may instead be device-resident ({@link #onDevice}): then it holds no array, only the
 * {@link DeviceMemory} its backend reads, and the host accessors must not be called (the backend copies to the
 * host first). Host storages are untouched by this: the field is null and no accessor tests it.
 */
public final class Storage {
    private final DType dtype;
    private final Object array;
    private final int length;
    private final DeviceMemory deviceMemory;

    private Storage(DType dtype, Object array, int length) {
        this.dtype = dtype;
        this.array = array;
        this.length = length;
        this.deviceMemory = null;
    }

    private Storage(DType dtype, int length, DeviceMemory memory) {
        this.dtype = dtype;
        this.array = null;
        this.length = length;
        this.deviceMemory = memory;
    }

    /** A device-resident storage of {@code length} elements in {@code memory} (for accelerator backends). */
    public static Storage onDevice(DType dtype, int length, DeviceMemory memory) {
        if (memory == null) throw new IllegalArgumentException("Storage.onDevice: memory is null");
        return new Storage(dtype, length, memory);
    }

    /** The device memory of a device-resident storage, null for host storage. */
    public DeviceMemory deviceMemory() { return deviceMemory; }

    /** True for the usual host array, false for device-resident memory. */
    public boolean isHost() { return deviceMemory == null; }

    public static Storage allocate(DType dtype, int length) {
        return switch (dtype) {
            case FLOAT32 -> new Storage(dtype, new float[length], length);
            case FLOAT64 -> new Storage(dtype, new double[length], length);
            case INT32 -> new Storage(dtype, new int[length], length);
            case INT64 -> new Storage(dtype, new long[length], length);
            case BOOL -> new Storage(dtype, new boolean[length], length);
        };
    }

    public static Storage wrap(float[] a) { return new Storage(DType.FLOAT32, a, a.length); }
    public static Storage wrap(double[] a) { return new Storage(DType.FLOAT64, a, a.length); }
    public static Storage wrap(int[] a) { return new Storage(DType.INT32, a, a.length); }
    public static Storage wrap(long[] a) { return new Storage(DType.INT64, a, a.length); }
    public static Storage wrap(boolean[] a) { return new Storage(DType.BOOL, a, a.length); }

    public DType dtype() { return dtype; }
    public int length() { return length; }

    public float[] floats() { return (float[]) array; }
    public double[] doubles() { return (double[]) array; }
    public int[] ints() { return (int[]) array; }
    public long[] longs() { return (long[]) array; }
    public boolean[] bools() { return (boolean[]) array; }

    /** The backing array whatever its type, for dtype-blind block copies (System.arraycopy). */
    Object array() { return array; }

    public double getDouble(int i) {
        return switch (dtype) {
            case FLOAT32 -> ((float[]) array)[i];
            case FLOAT64 -> ((double[]) array)[i];
            case INT32 -> ((int[]) array)[i];
            case INT64 -> ((long[]) array)[i];
            case BOOL -> ((boolean[]) array)[i] ? 1.0 : 0.0;
        };
    }

    public long getLong(int i) {
        return switch (dtype) {
            case FLOAT32 -> (long) ((float[]) array)[i];
            case FLOAT64 -> (long) ((double[]) array)[i];
            case INT32 -> ((int[]) array)[i];
            case INT64 -> ((long[]) array)[i];
            case BOOL -> ((boolean[]) array)[i] ? 1L : 0L;
        };
    }

    public boolean getBool(int i) {
        return switch (dtype) {
            case FLOAT32 -> ((float[]) array)[i] != 0f;
            case FLOAT64 -> ((double[]) array)[i] != 0.0;
            case INT32 -> ((int[]) array)[i] != 0;
            case INT64 -> ((long[]) array)[i] != 0L;
            case BOOL -> ((boolean[]) array)[i];
        };
    }

    public void setDouble(int i, double v) {
        switch (dtype) {
            case FLOAT32 -> ((float[]) array)[i] = (float) v;
            case FLOAT64 -> ((double[]) array)[i] = v;
            case INT32 -> ((int[]) array)[i] = (int) v;
            case INT64 -> ((long[]) array)[i] = (long) v;
            case BOOL -> ((boolean[]) array)[i] = v != 0.0;
        }
    }

    public void setLong(int i, long v) {
        switch (dtype) {
            case FLOAT32 -> ((float[]) array)[i] = (float) v;
            case FLOAT64 -> ((double[]) array)[i] = (double) v;
            case INT32 -> ((int[]) array)[i] = (int) v;
            case INT64 -> ((long[]) array)[i] = v;
            case BOOL -> ((boolean[]) array)[i] = v != 0L;
        }
    }
}
