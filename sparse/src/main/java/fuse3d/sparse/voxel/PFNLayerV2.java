package fuse3d.sparse.voxel;

import fuse3d.autograd.Var;
import fuse3d.nn.BatchNorm1d;
import fuse3d.nn.Linear;
import fuse3d.nn.Module;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;
import fuse3d.tensor.Tensor;

/**
 * The point-list PFN layer of OpenPCDet's DynamicPillarVFE: as {@link PFNLayer}, but the points arrive as one list
 * [N, C] with each point's pillar index, and the per-pillar max is a scatter max (torch_scatter's scatter_max).
 * Only real points exist here, so no padding enters the BatchNorm statistics or the max. State-dict names as
 * PFNLayer's (linear.weight, norm.*).
 */
public final class PFNLayerV2 extends Module {
    private final boolean lastLayer, useNorm;
    private final Linear linear;
    private final BatchNorm1d norm;

    public PFNLayerV2(int inChannels, int outChannels, boolean useNorm, boolean lastLayer, Generator g) {
        int out = lastLayer ? outChannels : outChannels / 2;
        if (inChannels < 1 || out < 1)
            throw new IllegalArgumentException("PFNLayerV2: channels must be positive, got in " + inChannels + ", out " + outChannels
                    + (lastLayer ? "" : " (an inner layer uses out / 2)"));
        this.lastLayer = lastLayer;
        this.useNorm = useNorm;
        linear = registerModule("linear", new Linear(inChannels, out, !useNorm, g));
        norm = useNorm ? registerModule("norm", new BatchNorm1d(out, 1e-3, 0.01)) : null;
    }

    /**
     * @param x         [N, Cin] point features
     * @param pillarOf  int64 [N] each point's pillar in [0, pillars)
     * @param pillars   the number of pillars M
     * @return [M, Cout] for the last layer, else [N, Cout] (point features then their pillar's max)
     */
    public Var forward(Var x, Tensor pillarOf, int pillars) {
        if (x.dim() != 2 || x.size(1) != linear.inFeatures || pillarOf.dim() != 1 || pillarOf.size(0) != x.size(0))
            throw new IllegalArgumentException("PFNLayerV2: expects points [N, " + linear.inFeatures + "] and pillar indices [N], got "
                    + Shape.str(x.shape()) + " and " + Shape.str(pillarOf.shape()));
        int n = x.size(0), c = linear.outFeatures;
        Var y = linear.apply(x);
        if (useNorm) y = norm.apply(y);
        y = y.relu();
        Tensor index = pillarOf.reshape(n, 1).expand(n, c).contiguous();
        Var max = Var.scatterMax(y, 0, index, pillars).values();
        if (lastLayer) return max;
        return Var.cat(1, y, max.indexSelect(0, pillarOf));
    }
}
