package fuse3d.sparse.voxel;

import fuse3d.autograd.Var;
import fuse3d.nn.Module;
import fuse3d.nn.ModuleList;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * PointPillars' pillar feature net as OpenPCDet's PillarVFE: each point of a pillar is augmented with its offset
 * to the pillar's point mean (f_cluster) and to the pillar's centre (f_center), optionally its distance to the
 * origin, then the PFN layers map the points and take the max per pillar.
 *
 * <p>Per point the features are [x, y, z, f1.. (all input columns, or only the non-xyz ones without
 * USE_ABSLOTE_XYZ), f_cluster(3), f_center(3), |xyz| (WITH_DISTANCE)]. Padding rows are masked to zero before the
 * first layer, exactly as OpenPCDet does; like OpenPCDet they still enter the BatchNorm statistics and the max
 * (a zero row maps to the normalised bias). The pillar mean divides by the point count clamped to 1, which only
 * differs from OpenPCDet for an empty pillar (OpenPCDet would give NaN). State-dict names as OpenPCDet's:
 * pfn_layers.0.linear.weight, pfn_layers.0.norm.*.
 */
public final class PillarVFE extends Module {
    /**
     * The model config keys of OpenPCDet's PillarVFE.
     *
     * @param numFilters      NUM_FILTERS, output channels per PFN layer
     * @param useNorm         USE_NORM
     * @param withDistance    WITH_DISTANCE
     * @param useAbsoluteXyz  USE_ABSLOTE_XYZ (sic)
     */
    public record Config(int[] numFilters, boolean useNorm, boolean withDistance, boolean useAbsoluteXyz) {
        public Config {
            if (numFilters == null || numFilters.length == 0)
                throw new IllegalArgumentException("PillarVFE: NUM_FILTERS must list at least one layer, got " + Arrays.toString(numFilters));
            numFilters = numFilters.clone();
        }

        /** OpenPCDet's pointpillar.yaml: NUM_FILTERS [64], USE_NORM, no distance, absolute xyz. */
        public static Config pointPillars() { return new Config(new int[] {64}, true, false, true); }
    }

    private final Config config;
    private final int numPointFeatures;
    private final VoxelGrid grid;
    private final ModuleList<PFNLayer> pfnLayers;

    /**
     * @param numPointFeatures the columns of a point (4 for KITTI's x, y, z, intensity)
     * @param grid             the pillar grid (its z size spans the range)
     */
    public PillarVFE(Config config, int numPointFeatures, VoxelGrid grid, Generator g) {
        if (numPointFeatures < 3) throw new IllegalArgumentException("PillarVFE: num_point_features must be >= 3 (x, y, z, ...), got " + numPointFeatures);
        this.config = config;
        this.numPointFeatures = numPointFeatures;
        this.grid = grid;
        int[] filters = new int[config.numFilters().length + 1];
        filters[0] = augmentedFeatures(config, numPointFeatures);
        System.arraycopy(config.numFilters(), 0, filters, 1, config.numFilters().length);
        List<PFNLayer> layers = new ArrayList<>();
        for (int i = 0; i < filters.length - 1; i++)
            layers.add(new PFNLayer(filters[i], filters[i + 1], config.useNorm(), i >= filters.length - 2, g));
        pfnLayers = registerModule("pfn_layers", new ModuleList<>(layers));
    }

    /** The width of a point after augmentation: the PFN's input channels. */
    static int augmentedFeatures(Config config, int numPointFeatures) {
        return numPointFeatures + (config.useAbsoluteXyz() ? 6 : 3) + (config.withDistance() ? 1 : 0);
    }

    public Config config() { return config; }

    /** OpenPCDet's get_output_feature_dim. */
    public int outputFeatureDim() { return config.numFilters()[config.numFilters().length - 1]; }

    /**
     * @param voxels    [M, P, F] zero-padded pillar points (F = num_point_features)
     * @param numPoints int [M] valid points per pillar
     * @param coords    int [M, 4] (batch, z, y, x) pillar coordinates
     * @return pillar features [M, C]
     */
    public Var forward(Var voxels, Tensor numPoints, Tensor coords) {
        int[] s = voxels.shape();
        if (s.length != 3 || s[2] != numPointFeatures || numPoints.dim() != 1 || numPoints.size(0) != s[0]
                || coords.dim() != 2 || coords.size(0) != s[0] || coords.size(1) != 4)
            throw new IllegalArgumentException("PillarVFE: expects voxels [M, P, " + numPointFeatures + "], num_points [M] and coords [M, 4], got "
                    + Shape.str(s) + ", " + Shape.str(numPoints.shape()) + ", " + Shape.str(coords.shape()));
        int m = s[0], p = s[1];
        DType dt = voxels.dtype();
        if (m == 0) return Var.of(Tensor.zeros(dt, 0, outputFeatureDim()));
        if (p == 0) throw new IllegalArgumentException("PillarVFE: voxels " + Shape.str(s) + " hold no point slots");

        int[] num = numPoints.to(DType.INT32).toIntArray();
        int[] co = coords.to(DType.INT32).toIntArray();
        double[] centre = new double[m * 3];
        double[] mask = new double[m * p];
        double[] count = new double[m];
        for (int i = 0; i < m; i++) {
            // coords are (batch, z, y, x): x centre from column 3, y from 2, z from 1
            centre[i * 3] = grid.centre(co[i * 4 + 3], 0);
            centre[i * 3 + 1] = grid.centre(co[i * 4 + 2], 1);
            centre[i * 3 + 2] = grid.centre(co[i * 4 + 1], 2);
            for (int j = 0; j < Math.min(num[i], p); j++) mask[i * p + j] = 1;
            count[i] = Math.max(1, num[i]);
        }
        Var xyz = voxels.narrow(2, 0, 3);
        Var pointsMean = xyz.sum(new int[] {1}, true).div(Tensor.of(count, m, 1, 1).to(dt));
        Var fCluster = xyz.sub(pointsMean);
        Var fCenter = xyz.sub(Tensor.of(centre, m, 1, 3).to(dt));
        List<Var> parts = new ArrayList<>();
        parts.add(config.useAbsoluteXyz() ? voxels : voxels.narrow(2, 3, numPointFeatures - 3));
        parts.add(fCluster);
        parts.add(fCenter);
        if (config.withDistance()) parts.add(xyz.norm(2, new int[] {2}, true));
        Var features = Var.cat(-1, parts).mul(Tensor.of(mask, m, p, 1).to(dt));
        for (PFNLayer layer : pfnLayers) features = layer.forward(features);
        return features.reshape(m, outputFeatureDim());
    }

    @Override
    protected String extraRepr() {
        return "num_point_features=" + numPointFeatures + ", num_filters=" + Arrays.toString(config.numFilters()) + ", use_norm=" + config.useNorm()
                + ", with_distance=" + config.withDistance() + ", use_absolute_xyz=" + config.useAbsoluteXyz();
    }
}
