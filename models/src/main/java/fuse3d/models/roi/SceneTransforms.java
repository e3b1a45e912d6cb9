package fuse3d.models.roi;

import fuse3d.autograd.Var;
import fuse3d.sparse.points.RoiGridPool;
import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The registry of {@link SceneTransform}s by the name a STAGES.TRANSFORMS entry uses, with the built-in
 * {@code identity} (Voxel R-CNN) and {@code flip_y} (mirror across the x axis); CMF-IoU registers its rotations and
 * flips here without touching the head.
 */
public final class SceneTransforms {
    /** The name of the transform that changes nothing. */
    public static final String IDENTITY = "identity";
    /** The name of the mirror y to -y (heading to -heading). */
    public static final String FLIP_Y = "flip_y";

    private static final Map<String, Supplier<SceneTransform>> REGISTRY = new ConcurrentHashMap<>();

    static {
        register(IDENTITY, Identity::new);
        register(FLIP_Y, FlipY::new);
    }

    private SceneTransforms() {}

    /** Registers (or replaces) a transform under a name. */
    public static void register(String name, Supplier<SceneTransform> factory) {
        if (name == null || name.isEmpty() || name.contains("@"))
            throw new IllegalArgumentException("SceneTransforms: a name must be non-empty and without '@', got '" + name + "'");
        REGISTRY.put(name, factory);
    }

    /** The transform registered under a name. */
    public static SceneTransform byName(String name) {
        Supplier<SceneTransform> f = name == null ? null : REGISTRY.get(name);
        if (f == null)
            throw new IllegalArgumentException("STAGES: TRANSFORMS: unknown scene transform '" + name + "' (registered: " + new TreeMap<>(REGISTRY).keySet() + ")");
        return f.get();
    }

    /** Leaves boxes and voxels as they are. */
    static final class Identity implements SceneTransform {
        @Override public String name() { return IDENTITY; }
        @Override public Tensor boxes(Tensor boxes) { return boxes; }
        @Override public Var undoBoxes(Var boxes) { return boxes; }
        @Override public RoiGridPool.VoxelSet voxels(RoiGridPool.VoxelSet set, double[] voxelSize, double[] pointCloudRange) { return set; }
    }

    /**
     * Mirrors the scene across the x axis (y to -y, heading to -heading); its own inverse. Voxels move exactly on the
     * grid (row y to Y - 1 - y) when the range is symmetric in y and the grid spans it, as KITTI's [-40, 40] does.
     */
    static final class FlipY implements SceneTransform {
        @Override public String name() { return FLIP_Y; }

        @Override
        public Tensor boxes(Tensor boxes) {
            if (boxes.dim() < 1 || boxes.size(boxes.dim() - 1) < 7)
                throw new IllegalArgumentException("flip_y: boxes must be [..., 7+], got " + Shape.str(boxes.shape()));
            Tensor out = boxes.contiguous().copy();
            int c = boxes.size(boxes.dim() - 1);
            double[] v = out.toDoubleArray();
            for (int i = 0; i < v.length; i += c) {
                v[i + 1] = -v[i + 1];
                v[i + 6] = -v[i + 6];
            }
            Tensor r = Tensor.of(v, boxes.shape());
            return boxes.dtype() == DType.FLOAT64 ? r : r.to(boxes.dtype());
        }

        @Override
        public Var undoBoxes(Var boxes) {
            int c = boxes.size(1);
            double[] sign = new double[c];
            java.util.Arrays.fill(sign, 1);
            sign[1] = -1;
            sign[6] = -1;
            Tensor s = Tensor.of(sign, c);
            return boxes.mul(boxes.dtype() == DType.FLOAT64 ? s : s.to(boxes.dtype()));
        }

        @Override
        public RoiGridPool.VoxelSet voxels(RoiGridPool.VoxelSet set, double[] voxelSize, double[] pointCloudRange) {
            int ny = set.spatialShape()[1];
            double span = ny * voxelSize[1] * set.stride();
            if (Math.abs(pointCloudRange[1] + pointCloudRange[4]) > 1e-6 || Math.abs(span - (pointCloudRange[4] - pointCloudRange[1])) > 1e-4)
                throw new IllegalArgumentException("flip_y: the voxel grid must be symmetric in y to flip on the grid: range y ["
                        + pointCloudRange[1] + ", " + pointCloudRange[4] + "], " + ny + " rows of " + voxelSize[1] * set.stride()
                        + " m; pass a voxel set computed in the flipped scene instead");
            int[] c = set.coords().to(DType.INT32).toIntArray();
            for (int i = 0; i < c.length; i += 4) c[i + 2] = ny - 1 - c[i + 2];
            return new RoiGridPool.VoxelSet(Tensor.ofInts(c, set.coords().size(0), 4), set.features(), set.spatialShape(), set.batchSize(), set.stride());
        }
    }
}
