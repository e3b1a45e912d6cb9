package fuse3d.sparse.voxel;

import fuse3d.tensor.DType;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.List;

/**
 * The output of hard voxelization for one or more point clouds, as OpenPCDet's batch dict holds it.
 *
 * @param voxels    [M, maxPointsPerVoxel, F], the points of each voxel in arrival order, zero padded
 * @param coords    int32 [M, 3] (z, y, x) for one cloud, or [M, 4] (batch, z, y, x) after {@link #collate}
 * @param numPoints int32 [M], how many rows of each voxel are points (1..maxPointsPerVoxel)
 * @param batchSize how many clouds the voxels come from (1 for one cloud)
 */
public record Voxels(Tensor voxels, Tensor coords, Tensor numPoints, int batchSize) {
    public Voxels {
        int m = voxels.size(0);
        if (voxels.dim() != 3 || coords.dim() != 2 || (coords.size(1) != 3 && coords.size(1) != 4) || coords.size(0) != m
                || numPoints.dim() != 1 || numPoints.size(0) != m)
            throw new IllegalArgumentException("Voxels: expects voxels [M, P, F], coords [M, 3|4] and num_points [M], got "
                    + Shape.str(voxels.shape()) + ", " + Shape.str(coords.shape()) + ", " + Shape.str(numPoints.shape()));
    }

    /** The number of voxels M. */
    public int count() { return voxels.size(0); }

    /** Whether the coordinates carry OpenPCDet's leading batch column. */
    public boolean batched() { return coords.size(1) == 4; }

    /**
     * OpenPCDet's collate_batch for voxels: concatenates the clouds' voxels in order and prepends each cloud's
     * index to its coordinates, giving [M, 4] (batch, z, y, x).
     */
    public static Voxels collate(List<Voxels> clouds) {
        if (clouds.isEmpty()) throw new IllegalArgumentException("Voxels.collate: no point clouds to collate");
        Voxels first = clouds.get(0);
        int p = first.voxels.size(1), f = first.voxels.size(2);
        Tensor[] vox = new Tensor[clouds.size()], coords = new Tensor[clouds.size()], num = new Tensor[clouds.size()];
        for (int b = 0; b < clouds.size(); b++) {
            Voxels v = clouds.get(b);
            if (v.batched())
                throw new IllegalArgumentException("Voxels.collate: cloud " + b + " is already batched (coords " + Shape.str(v.coords.shape()) + ")");
            if (v.voxels.size(1) != p || v.voxels.size(2) != f || v.voxels.dtype() != first.voxels.dtype())
                throw new IllegalArgumentException("Voxels.collate: cloud " + b + " has voxels " + Shape.str(v.voxels.shape()) + " "
                        + v.voxels.dtype().torchName() + ", cloud 0 has " + Shape.str(first.voxels.shape()) + " " + first.voxels.dtype().torchName());
            vox[b] = v.voxels;
            num[b] = v.numPoints;
            int m = v.count();
            int[] src = v.coords.toIntArray();
            int[] dst = new int[m * 4];
            for (int i = 0; i < m; i++) {
                dst[i * 4] = b;
                System.arraycopy(src, i * 3, dst, i * 4 + 1, 3);
            }
            coords[b] = Tensor.ofInts(dst, m, 4);
        }
        return new Voxels(Tensor.cat(0, vox), Tensor.cat(0, coords).to(DType.INT32), Tensor.cat(0, num).to(DType.INT32), clouds.size());
    }
}
