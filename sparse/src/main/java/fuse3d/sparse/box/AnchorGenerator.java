package fuse3d.sparse.box;

import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * OpenPCDet's {@code AnchorGenerator}: for each class config, anchors on a regular BEV grid over the anchor range
 * (the point-cloud range), for every bottom height, size and rotation, as a float32 tensor
 * [nz, ny, nx, nSize, nRot, 7] of boxes (x, y, z, dx, dy, dz, heading) with z lifted to the box centre.
 *
 * <p>Grid: with {@code align_center} the nx centres sit mid-cell ({@code x0 + (i + 0.5) (x1 - x0) / nx}); without
 * it the nx points span the range end to end ({@code x0 + i (x1 - x0) / (nx - 1)}). As the reference the positions
 * come from {@code torch.arange(start, x1 + 1e-5, step)} in float32, so its element count is used.
 */
public final class AnchorGenerator {
    /**
     * One class's entry of {@code ANCHOR_GENERATOR_CONFIG}.
     *
     * @param anchorSizes         (dx, dy, dz) per size
     * @param anchorRotations     headings, e.g. {0, pi/2}
     * @param anchorBottomHeights bottom z values
     * @param alignCenter         {@code align_center}
     * @param featureMapStride    {@code feature_map_stride}: the map is the voxel grid divided by this
     */
    public record Config(double[][] anchorSizes, double[] anchorRotations, double[] anchorBottomHeights, boolean alignCenter, int featureMapStride) {
        public Config {
            if (anchorSizes.length == 0 || anchorRotations.length == 0 || anchorBottomHeights.length == 0)
                throw new IllegalArgumentException("AnchorGenerator: anchor_sizes, anchor_rotations and anchor_bottom_heights must be non-empty");
            for (double[] s : anchorSizes)
                if (s.length != 3) throw new IllegalArgumentException("AnchorGenerator: each anchor size is (dx, dy, dz), got " + Arrays.toString(s));
            if (featureMapStride < 1) throw new IllegalArgumentException("AnchorGenerator: feature_map_stride must be >= 1, got " + featureMapStride);
        }

        /** Anchors per BEV location: sizes x rotations x heights. */
        public int anchorsPerLocation() { return anchorSizes.length * anchorRotations.length * anchorBottomHeights.length; }
    }

    private final double[] anchorRange;
    private final List<Config> configs;

    /** @param anchorRange [x0, y0, z0, x1, y1, z1], the point-cloud range */
    public AnchorGenerator(double[] anchorRange, List<Config> configs) {
        if (anchorRange.length != 6) throw new IllegalArgumentException("AnchorGenerator: anchor_range needs 6 values, got " + anchorRange.length);
        this.anchorRange = anchorRange.clone();
        this.configs = List.copyOf(configs);
    }

    /**
     * The feature map size {nx, ny} of each config, {@code grid_size[:2] // feature_map_stride} with the voxel grid
     * {@code round((range_max - range_min) / voxel_size)}.
     */
    public List<int[]> featureMapSizes(double[] voxelSize) {
        List<int[]> out = new ArrayList<>();
        int gx = (int) Math.round((anchorRange[3] - anchorRange[0]) / voxelSize[0]);
        int gy = (int) Math.round((anchorRange[4] - anchorRange[1]) / voxelSize[1]);
        for (Config c : configs) out.add(new int[] {gx / c.featureMapStride(), gy / c.featureMapStride()});
        return out;
    }

    /** Anchors per config: [nz, ny, nx, nSize, nRot, 7] for the given {nx, ny} of each config. */
    public List<Tensor> generate(List<int[]> gridSizes) {
        if (gridSizes.size() != configs.size())
            throw new IllegalArgumentException("AnchorGenerator.generate: " + gridSizes.size() + " grid sizes for " + configs.size() + " configs");
        List<Tensor> out = new ArrayList<>();
        for (int k = 0; k < configs.size(); k++) out.add(generate(configs.get(k), gridSizes.get(k)));
        return out;
    }

    private Tensor generate(Config c, int[] grid) {
        if (grid.length != 2 || grid[0] < 1 || grid[1] < 1 || (!c.alignCenter() && (grid[0] < 2 || grid[1] < 2)))
            throw new IllegalArgumentException("AnchorGenerator.generate: grid size must be {nx, ny} >= 1 (>= 2 without align_center), got "
                    + Arrays.toString(grid));
        float[] xs = shifts(anchorRange[0], anchorRange[3], grid[0], c.alignCenter());
        float[] ys = shifts(anchorRange[1], anchorRange[4], grid[1], c.alignCenter());
        int nz = c.anchorBottomHeights().length, nSize = c.anchorSizes().length, nRot = c.anchorRotations().length;
        float[] out = new float[nz * ys.length * xs.length * nSize * nRot * 7];
        int p = 0;
        for (int iz = 0; iz < nz; iz++)
            for (float y : ys)
                for (float x : xs)
                    for (double[] size : c.anchorSizes())
                        for (double rot : c.anchorRotations()) {
                            float dz = (float) size[2];
                            out[p++] = x;
                            out[p++] = y;
                            out[p++] = (float) c.anchorBottomHeights()[iz] + dz / 2f; // bottom to centre, in float32 as the reference
                            out[p++] = (float) size[0];
                            out[p++] = (float) size[1];
                            out[p++] = dz;
                            out[p++] = (float) rot;
                        }
        return Tensor.ofFloats(out, nz, ys.length, xs.length, nSize, nRot, 7);
    }

    /** {@code torch.arange(lo + offset, hi + 1e-5, step, dtype=float32)}: count and values in float64, stored as float32. */
    static float[] shifts(double lo, double hi, int n, boolean alignCenter) {
        double step = alignCenter ? (hi - lo) / n : (hi - lo) / (n - 1);
        double start = lo + (alignCenter ? step / 2 : 0);
        int count = (int) Math.ceil((hi + 1e-5 - start) / step);
        float[] v = new float[Math.max(count, 0)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (start + i * step);
        return v;
    }
}
