package fuse3d.data.occ3d;

/**
 * A regular voxel grid in the ego frame: its lower corner, its cubic voxel size and its size in voxels.
 *
 * <p>Voxel {@code (x, y, z)} covers {@code [min + i * voxel, min + (i + 1) * voxel)} on each axis, and the labels
 * of a grid are stored x-major (C order of a {@code [nx, ny, nz]} array, as Occ3D's {@code semantics} is), so
 * voxel {@code (x, y, z)} is element {@code (x * ny + y) * nz + z}.
 *
 * <p>{@code voxelSize} and the corner are floats because the official RayIoU code converts metres to voxel
 * units with a float32 tensor of {@code 0.4}; keeping the same float values keeps the ray casting identical.
 */
public record Occ3dGrid(float xMin, float yMin, float zMin, float voxelSize, int nx, int ny, int nz) {

    /** Occ3D-nuScenes: {@code [-40, -40, -1, 40, 40, 5.4]}, 0.4 m, 200 x 200 x 16. */
    public static final Occ3dGrid NUSCENES = new Occ3dGrid(-40f, -40f, -1f, 0.4f, 200, 200, 16);

    public Occ3dGrid {
        if (nx <= 0 || ny <= 0 || nz <= 0)
            throw new IllegalArgumentException("Occ3dGrid: sizes must be positive, got " + nx + " x " + ny + " x " + nz);
        if (!(voxelSize > 0) || !Float.isFinite(voxelSize))
            throw new IllegalArgumentException("Occ3dGrid: voxel size must be positive and finite, got " + voxelSize);
        if (!Float.isFinite(xMin) || !Float.isFinite(yMin) || !Float.isFinite(zMin))
            throw new IllegalArgumentException("Occ3dGrid: corner must be finite, got " + xMin + ", " + yMin + ", " + zMin);
        if ((long) nx * ny * nz > Integer.MAX_VALUE)
            throw new IllegalArgumentException("Occ3dGrid: " + nx + " x " + ny + " x " + nz + " voxels do not fit one array");
    }

    /** Number of voxels. */
    public int size() { return nx * ny * nz; }

    /** The element index of voxel {@code (x, y, z)}. */
    public int index(int x, int y, int z) { return (x * ny + y) * nz + z; }

    /** The grid's shape as an array shape, {@code [nx, ny, nz]}. */
    public int[] shape() { return new int[] {nx, ny, nz}; }

    /** Whether {@code shape} is this grid's {@code [nx, ny, nz]}. */
    public boolean hasShape(int[] shape) {
        return shape.length == 3 && shape[0] == nx && shape[1] == ny && shape[2] == nz;
    }
}
