package fuse3d.sparse.voxel;

import fuse3d.autograd.Var;
import fuse3d.nn.Module;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;

/**
 * OpenPCDet's MeanVFE: each voxel's feature is the mean of its valid points (the zero padding rows add nothing to
 * the sum, and the count is clamped to at least 1 so that an empty voxel gives zeros). No parameters.
 */
public final class MeanVFE extends Module {
    private final int numPointFeatures;

    public MeanVFE(int numPointFeatures) {
        if (numPointFeatures < 1) throw new IllegalArgumentException("MeanVFE: num_point_features must be >= 1, got " + numPointFeatures);
        this.numPointFeatures = numPointFeatures;
    }

    /** The feature width of the output, OpenPCDet's get_output_feature_dim. */
    public int outputFeatureDim() { return numPointFeatures; }

    /**
     * @param voxels    [M, P, F] zero-padded voxel points
     * @param numPoints int [M] valid points per voxel
     * @return [M, F]
     */
    public Var forward(Var voxels, Tensor numPoints) {
        if (voxels.dim() != 3 || voxels.size(2) != numPointFeatures || numPoints.dim() != 1 || numPoints.size(0) != voxels.size(0))
            throw new IllegalArgumentException("MeanVFE: expects voxels [M, P, " + numPointFeatures + "] and num_points [M], got "
                    + Shape.str(voxels.shape()) + " and " + Shape.str(numPoints.shape()));
        Tensor normalizer = numPoints.to(voxels.dtype()).clampMin(1.0).reshape(-1, 1);
        return voxels.sum(1).div(normalizer);
    }

    @Override
    protected String extraRepr() { return "num_point_features=" + numPointFeatures; }
}
