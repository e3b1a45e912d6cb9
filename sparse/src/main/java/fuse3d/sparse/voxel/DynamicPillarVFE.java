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
 * OpenPCDet's DynamicPillarVFE: PointPillars' feature net on the raw point list, without a per-pillar point cap.
 *
 * <p>Points [N, 1 + F] carry OpenPCDet's batch column (batch, x, y, z, ...). A point's pillar is
 * floor((xy - min) / size); points outside the x-y grid are dropped (z is not tested, as in OpenPCDet, whose data
 * pipeline has already cropped the range), and so are points with a NaN coordinate. Pillars are ordered as
 * OpenPCDet's torch.unique of the key batch * nx * ny + x * ny + y orders them: by batch, then x, then y. Each
 * point is augmented to [batch-less point columns (or only the non-xyz ones without USE_ABSLOTE_XYZ), f_cluster
 * (offset to its pillar's point mean), f_center (offset to the pillar centre in x, y and to the range's first z
 * cell centre in z), |xyz| (WITH_DISTANCE)], then the {@link PFNLayerV2} layers run. Output coordinates are
 * (batch, 0, y, x).
 */
public final class DynamicPillarVFE extends Module {
    private final PillarVFE.Config config;
    private final int numPointFeatures;
    private final VoxelGrid grid;
    private final ModuleList<PFNLayerV2> pfnLayers;

    /** @param numPointFeatures the columns of a point without the batch column (4 for x, y, z, intensity) */
    public DynamicPillarVFE(PillarVFE.Config config, int numPointFeatures, VoxelGrid grid, Generator g) {
        if (numPointFeatures < 3)
            throw new IllegalArgumentException("DynamicPillarVFE: num_point_features must be >= 3 (x, y, z, ...), got " + numPointFeatures);
        this.config = config;
        this.numPointFeatures = numPointFeatures;
        this.grid = grid;
        int[] filters = new int[config.numFilters().length + 1];
        filters[0] = PillarVFE.augmentedFeatures(config, numPointFeatures);
        System.arraycopy(config.numFilters(), 0, filters, 1, config.numFilters().length);
        List<PFNLayerV2> layers = new ArrayList<>();
        for (int i = 0; i < filters.length - 1; i++)
            layers.add(new PFNLayerV2(filters[i], filters[i + 1], config.useNorm(), i >= filters.length - 2, g));
        pfnLayers = registerModule("pfn_layers", new ModuleList<>(layers));
    }

    public int outputFeatureDim() { return config.numFilters()[config.numFilters().length - 1]; }

    /**
     * @param points [N, 1 + F] (batch, x, y, z, ...), float32 or float64
     * @return pillar features [M, C] and coords int32 [M, 4] (batch, 0, y, x)
     */
    public VoxelFeatures forward(Var points) {
        int[] s = points.shape();
        if (s.length != 2 || s[1] != numPointFeatures + 1)
            throw new IllegalArgumentException("DynamicPillarVFE: expects points [N, " + (numPointFeatures + 1) + "] (batch, x, y, z, ...), got " + Shape.str(s));
        DType dt = points.dtype();
        if (dt != DType.FLOAT32 && dt != DType.FLOAT64)
            throw new IllegalArgumentException("DynamicPillarVFE: expects float32 or float64 points, got " + dt.torchName() + " " + Shape.str(s));
        int n = s[0];
        double[] raw = points.data().narrow(1, 0, 4).toDoubleArray();
        int[] bxy = new int[n * 3];
        long[] keptIdx = new long[n];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            float x = (float) raw[i * 4 + 1], y = (float) raw[i * 4 + 2];
            int cx = grid.cell(x, 0), cy = grid.cell(y, 1);
            int b = (int) raw[i * 4]; // OpenPCDet's points[:, 0].int(): truncation
            if (cx < 0 || cy < 0 || Double.isNaN(raw[i * 4 + 3])) continue;
            if (!(raw[i * 4] >= 0)) throw new IllegalArgumentException("DynamicPillarVFE: point " + i + " has batch index " + raw[i * 4] + " < 0 (points " + Shape.str(s) + ")");
            bxy[kept * 3] = b;
            bxy[kept * 3 + 1] = cx;
            bxy[kept * 3 + 2] = cy;
            keptIdx[kept++] = i;
        }
        if (kept == 0) return new VoxelFeatures(Var.of(Tensor.zeros(dt, 0, outputFeatureDim())), Tensor.ofInts(new int[0], 0, 4));
        Var pts = kept == n ? points : points.indexSelect(0, Tensor.ofLongs(Arrays.copyOf(keptIdx, kept), kept));
        Tensor cells = Tensor.ofInts(Arrays.copyOf(bxy, kept * 3), kept, 3);
        Var xyz = pts.narrow(1, 1, 3);
        // grouping by the rows (batch, x, y) gives OpenPCDet's pillar order
        DynamicScatter.Result grouped = DynamicScatter.scatter(xyz, cells, DynamicScatter.Reduce.MEAN);
        Tensor pillarOf = grouped.pointVoxel();
        int m = grouped.coords().size(0);
        Var fCluster = xyz.sub(grouped.features().indexSelect(0, pillarOf));
        double[] centre = new double[kept * 3];
        for (int k = 0; k < kept; k++) {
            centre[k * 3] = grid.centre(bxy[k * 3 + 1], 0);
            centre[k * 3 + 1] = grid.centre(bxy[k * 3 + 2], 1);
            centre[k * 3 + 2] = grid.centre(0, 2);
        }
        Var fCenter = xyz.sub(Tensor.of(centre, kept, 3).to(dt));
        List<Var> parts = new ArrayList<>();
        parts.add(config.useAbsoluteXyz() ? pts.narrow(1, 1, numPointFeatures) : pts.narrow(1, 4, numPointFeatures - 3));
        parts.add(fCluster);
        parts.add(fCenter);
        if (config.withDistance()) parts.add(xyz.norm(2, new int[] {1}, true));
        Var features = Var.cat(1, parts);
        for (PFNLayerV2 layer : pfnLayers) features = layer.forward(features, pillarOf, m);
        int[] bxyU = grouped.coords().toIntArray();
        int[] coords = new int[m * 4];
        for (int v = 0; v < m; v++) {
            coords[v * 4] = bxyU[v * 3];
            coords[v * 4 + 2] = bxyU[v * 3 + 2];
            coords[v * 4 + 3] = bxyU[v * 3 + 1];
        }
        return new VoxelFeatures(features, Tensor.ofInts(coords, m, 4));
    }

    @Override
    protected String extraRepr() {
        return "num_point_features=" + numPointFeatures + ", num_filters=" + Arrays.toString(config.numFilters()) + ", use_norm=" + config.useNorm()
                + ", with_distance=" + config.withDistance() + ", use_absolute_xyz=" + config.useAbsoluteXyz();
    }
}
