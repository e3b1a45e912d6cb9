package fuse3d.tensor;

/**
 * Memory of an accelerator behind a device-resident {@link Storage}: an opaque address that only the owning backend
 * dereferences. The host path never sees one.
 */
public interface DeviceMemory {
    /** The device the memory lives on. */
    Device device();

    /** The device address of element 0. */
    long address();

    /** The size in bytes. */
    long bytes();
}
