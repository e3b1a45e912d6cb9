package fuse3d.sparse.points;

import fuse3d.tensor.Tensor;

/**
 * The grid points of Voxel R-CNN's RoI-grid pooling (VoxelRCNNHead.get_dense_grid_points and
 * get_global_grid_points_of_roi): grid_size³ cell centres of each RoI in its own frame, rotated by the heading and
 * moved to the RoI centre.
 *
 * <p>Point k = (i · g + j) · g + l is cell (i, j, l) along (x, y, z), the order of nonzero() on a g³ volume, at
 * local ((i + 0.5) / g · dx − dx / 2, ...). Computed in float32 as the reference.
 */
public final class RoiGridPoints {
    private RoiGridPoints() {}

    /**
     * The local (box-frame) grid points.
     *
     * @param rois [R, 7+]
     * @return float32 [R, g³, 3]
     */
    public static Tensor local(Tensor rois, int gridSize) {
        String op = "get_dense_grid_points";
        Checks.atLeastColumns(op, "rois", rois, 2, 7);
        Checks.floating(op, "rois", rois);
        Checks.positive(op, "grid_size", gridSize);
        int r = rois.size(0), cols = rois.size(1), g = gridSize, g3 = g * g * g;
        float[] b = rois.toFloatArray();
        float[] out = new float[r * g3 * 3];
        for (int ri = 0; ri < r; ri++) {
            float sx = b[ri * cols + 3], sy = b[ri * cols + 4], sz = b[ri * cols + 5];
            for (int k = 0; k < g3; k++) {
                int i = k / (g * g), j = k / g % g, l = k % g;
                int o = (ri * g3 + k) * 3;
                out[o] = (i + 0.5f) / g * sx - sx / 2;
                out[o + 1] = (j + 0.5f) / g * sy - sy / 2;
                out[o + 2] = (l + 0.5f) / g * sz - sz / 2;
            }
        }
        return Tensor.ofFloats(out, r, g3, 3);
    }

    /**
     * The global (LiDAR-frame) grid points: local points rotated about z by the heading (rotate_points_along_z) plus
     * the RoI centre.
     *
     * @param rois [R, 7+]
     * @return float32 [R, g³, 3]
     */
    public static Tensor global(Tensor rois, int gridSize) {
        Tensor local = local(rois, gridSize);
        int r = rois.size(0), cols = rois.size(1), g3 = local.size(1);
        float[] b = rois.toFloatArray(), p = local.toFloatArray();
        for (int ri = 0; ri < r; ri++) {
            float h = b[ri * cols + 6];
            float c = (float) Math.cos(h), s = (float) Math.sin(h);
            float cx = b[ri * cols], cy = b[ri * cols + 1], cz = b[ri * cols + 2];
            for (int k = 0; k < g3; k++) {
                int o = (ri * g3 + k) * 3;
                float x = p[o], y = p[o + 1];
                p[o] = x * c - y * s + cx;
                p[o + 1] = x * s + y * c + cy;
                p[o + 2] += cz;
            }
        }
        return Tensor.ofFloats(p, r, g3, 3);
    }
}
