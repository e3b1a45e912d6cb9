package fuse3d.cuda.kernels;

/**
 * A device address as a kernel argument: a {@code CUdeviceptr}, kept apart from {@code long} scalars so that a launch
 * that passes an int64 where the kernel takes a pointer (or the reverse) fails at the door, not on the GPU.
 */
public record DevicePtr(long address) {
    public static final DevicePtr NULL = new DevicePtr(0);

    /** The address moved by {@code bytes} (a view's offset). */
    public DevicePtr plus(long bytes) { return new DevicePtr(address + bytes); }
}
