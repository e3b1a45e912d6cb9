package fuse3d.sparse.points;

import fuse3d.autograd.Var;
import fuse3d.nn.BatchNorm1d;
import fuse3d.nn.BatchNorm2d;
import fuse3d.nn.Conv1d;
import fuse3d.nn.Conv2d;
import fuse3d.nn.Module;
import fuse3d.nn.ModuleList;
import fuse3d.nn.ReLU;
import fuse3d.nn.Sequential;
import fuse3d.tensor.DType;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Voxel R-CNN's neighbour-voxel set abstraction (pointnet2_stack NeighborVoxelSAModuleMSG): for each query point and
 * each scale, the voxel query's neighbours, their features (through a shared 1×1 conv + BN, applied once per voxel
 * before grouping) plus an embedding of their offsets from the query point (1×1 conv + BN), ReLU, a max (or mean)
 * over the neighbours, and an output 1×1 conv + BN + ReLU; the scales are concatenated.
 *
 * <p>Children and parameters are named as the reference ({@code mlps_in.k.0.weight}, {@code mlps_pos.k.1.running_mean},
 * {@code mlps_out.k.0.weight}, ...) so that OpenPCDet checkpoints load. Empty queries contribute zero features
 * and zero offsets, as the reference's empty_ball_mask does.
 */
public final class NeighborVoxelSAModuleMSG extends Module {
    private final int[][] queryRanges;
    private final double[] radii;
    private final int[] nsamples;
    private final boolean maxPool;
    private final ModuleList<Sequential> mlpsIn, mlpsPos, mlpsOut;
    private final int outChannels;

    /**
     * @param queryRanges per scale, the (z, y, x) query range in voxels (QUERY_RANGES; the reference reorders
     *                    nothing here: its kernel reads them as z, y, x)
     * @param radii       per scale, POOL_RADIUS
     * @param nsamples    per scale, NSAMPLE
     * @param mlps        per scale, [C_in, C_mid, C_out] (the head prepends the backbone's channels to MLPS)
     * @param poolMethod  "max_pool" or "avg_pool"
     */
    public NeighborVoxelSAModuleMSG(int[][] queryRanges, double[] radii, int[] nsamples, int[][] mlps, String poolMethod, Generator g) {
        String op = "NeighborVoxelSAModuleMSG";
        if (queryRanges.length != radii.length || radii.length != nsamples.length || nsamples.length != mlps.length || mlps.length == 0)
            throw new IllegalArgumentException(op + ": query_ranges, radii, nsamples and mlps need one entry per scale, got "
                    + queryRanges.length + ", " + radii.length + ", " + nsamples.length + ", " + mlps.length);
        if (!poolMethod.equals("max_pool") && !poolMethod.equals("avg_pool"))
            throw new IllegalArgumentException(op + ": pool_method must be 'max_pool' or 'avg_pool', got '" + poolMethod + "'");
        this.queryRanges = queryRanges.clone();
        this.radii = radii.clone();
        this.nsamples = nsamples.clone();
        this.maxPool = poolMethod.equals("max_pool");
        mlpsIn = registerModule("mlps_in", new ModuleList<>());
        mlpsPos = registerModule("mlps_pos", new ModuleList<>());
        mlpsOut = registerModule("mlps_out", new ModuleList<>());
        int out = 0;
        for (int k = 0; k < mlps.length; k++) {
            int[] spec = mlps[k];
            if (spec.length != 3)
                throw new IllegalArgumentException(op + ": mlps[" + k + "] must be [C_in, C_mid, C_out], got " + java.util.Arrays.toString(spec));
            mlpsIn.add(new Sequential(kaiming(new Conv1d(spec[0], spec[1], 1, 1, 0, false, g), g), new BatchNorm1d(spec[1])));
            mlpsPos.add(new Sequential(kaiming(new Conv2d(3, spec[1], 1, 1, 0, false, g), g), new BatchNorm2d(spec[1])));
            mlpsOut.add(new Sequential(kaiming(new Conv1d(spec[1], spec[2], 1, 1, 0, false, g), g), new BatchNorm1d(spec[2]), new ReLU()));
            out += spec[2];
        }
        outChannels = out;
    }

    /** The reference's init_weights: kaiming_normal_ (fan in, gain √2) for the convs; BN keeps weight 1, bias 0. */
    private static <C extends fuse3d.nn.ConvNd> C kaiming(C conv, Generator g) {
        int[] s = conv.weight().shape();
        conv.weight().data().copy_(g.normal(0, Math.sqrt(2.0 / fuse3d.nn.Init.fanIn(s)), s));
        return conv;
    }

    /** Σ C_out over the scales. */
    public int outChannels() { return outChannels; }

    /**
     * @param voxelXyz  [N, 3] voxel centres of the source voxel set (rows as its features)
     * @param features  [N, C_in] voxel features
     * @param newXyz    [M, 3] query points (the RoI grid points)
     * @param newCoords integer [M, 4] (batch, z, y, x) voxel of each query point at this source's stride (the reference
     *                  takes (batch, x, y, z) and reorders it to this)
     * @param index     the voxel set's coordinate index
     * @return [M, Σ C_out]
     */
    public Var forward(Tensor voxelXyz, Var features, Tensor newXyz, Tensor newCoords, VoxelQuery.VoxelIndex index) {
        String op = "NeighborVoxelSAModuleMSG";
        Checks.rank(op, "features", features.data(), 2, -1);
        if (features.size(0) != voxelXyz.size(0))
            throw new IllegalArgumentException(op + ": features " + Shape.str(features.shape()) + " and voxel xyz " + Shape.str(voxelXyz.shape())
                    + " must have one row per voxel");
        int m = newXyz.size(0);
        DType dt = features.dtype();
        List<Var> outs = new ArrayList<>();
        for (int k = 0; k < mlpsIn.size(); k++) {
            int ns = nsamples[k];
            // mlps_in on every voxel once: [1, C, N] -> [N, C1]
            Var fin = mlpsIn.get(k).apply(features.t().unsqueeze(0)).squeeze(0).t();
            int c1 = fin.size(1);
            BallQuery.Result q = VoxelQuery.query(queryRanges[k], radii[k], ns, voxelXyz, newXyz, newCoords, index);
            Tensor flat = q.idx().reshape(m * ns).to(DType.INT64);
            Tensor emptyMask = q.empty().reshape(m, 1, 1);
            // offsets from the query point [M, ns, 3], zero for empty queries -> [1, 3, M, ns]
            Tensor rel = voxelXyz.to(dt).indexSelect(0, flat).reshape(m, ns, 3).sub(newXyz.to(dt).reshape(m, 1, 3)).maskedFill(emptyMask, 0);
            Var pos = mlpsPos.get(k).apply(Var.of(rel.permute(2, 0, 1).unsqueeze(0).contiguous()));
            Var pooled = maxPool && fusable(fin, pos, m) ? GroupedMaxRelu.apply(fin, q.idx(), q.empty(), pos, m, ns)
                    : groupAndPool(fin, flat, emptyMask, pos, m, ns, maxPool); // [1, C1, M]
            Var o = mlpsOut.get(k).apply(pooled); // [1, C2, M]
            outs.add(o.squeeze(0).t());
        }
        return outs.size() == 1 ? outs.get(0) : Var.cat(1, outs);
    }

    /** The fused max pooling takes float32 features of a non-empty voxel set (an empty one fails in indexSelect below). */
    private static boolean fusable(Var fin, Var pos, int m) {
        return fin.dtype() == DType.FLOAT32 && pos.dtype() == DType.FLOAT32 && (fin.size(0) > 0 || m == 0);
    }

    /**
     * The grouping and pooling as composed ops (avg pool, float64, and the reference {@link GroupedMaxRelu} is tested
     * against): grouped features [M, ns, C1], zero for empty queries, plus the position embedding, ReLU, then the
     * max or mean over the neighbours.
     */
    static Var groupAndPool(Var fin, Tensor flat, Tensor emptyMask, Var pos, int m, int ns, boolean maxPool) {
        int c1 = fin.size(1);
        Var grouped = fin.indexSelect(0, flat).reshape(m, ns, c1).maskedFill(emptyMask, 0).permute(2, 0, 1).unsqueeze(0);
        Var h = grouped.add(pos).relu();
        return maxPool ? h.max(3, false).values() : h.mean(3);
    }

    @Override
    protected String extraRepr() {
        return "query_ranges=" + java.util.Arrays.deepToString(queryRanges) + ", radii=" + java.util.Arrays.toString(radii)
                + ", nsamples=" + java.util.Arrays.toString(nsamples) + ", pool=" + (maxPool ? "max" : "avg");
    }
}
