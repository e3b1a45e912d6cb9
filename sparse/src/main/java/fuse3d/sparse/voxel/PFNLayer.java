package fuse3d.sparse.voxel;

import fuse3d.autograd.Var;
import fuse3d.nn.BatchNorm1d;
import fuse3d.nn.Linear;
import fuse3d.nn.Module;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Shape;

/**
 * One PointNet layer of PointPillars' pillar feature net (OpenPCDet's PFNLayer): a linear map of every point
 * (no bias when normalised), BatchNorm1d (eps 1e-3, momentum 0.01) over all points of all pillars, ReLU, and the
 * max over each pillar's points. The last layer returns that max; an inner layer has half the output channels and
 * returns each point's feature concatenated with its pillar's max. State-dict names: linear.weight
 * (linear.bias without norm), norm.weight, norm.bias, norm.running_mean, norm.running_var,
 * norm.num_batches_tracked.
 */
public final class PFNLayer extends Module {
    private final boolean lastLayer, useNorm;
    private final Linear linear;
    private final BatchNorm1d norm;

    public PFNLayer(int inChannels, int outChannels, boolean useNorm, boolean lastLayer, Generator g) {
        int out = lastLayer ? outChannels : outChannels / 2;
        if (inChannels < 1 || out < 1)
            throw new IllegalArgumentException("PFNLayer: channels must be positive, got in " + inChannels + ", out " + outChannels
                    + (lastLayer ? "" : " (an inner layer uses out / 2)"));
        this.lastLayer = lastLayer;
        this.useNorm = useNorm;
        linear = registerModule("linear", new Linear(inChannels, out, !useNorm, g));
        norm = useNorm ? registerModule("norm", new BatchNorm1d(out, 1e-3, 0.01)) : null;
    }

    public boolean lastLayer() { return lastLayer; }

    /**
     * @param x [M, P, Cin], the points of M pillars
     * @return [M, 1, Cout] for the last layer, else [M, P, Cout] (point features then the pillar max)
     */
    public Var forward(Var x) {
        if (x.dim() != 3 || x.size(2) != linear.inFeatures)
            throw new IllegalArgumentException("PFNLayer: expects [M, P, " + linear.inFeatures + "], got " + Shape.str(x.shape()));
        int m = x.size(0), p = x.size(1);
        // one [M*P, C] GEMM instead of M tiny ones; BatchNorm1d sees the same [M*P, C] view as OpenPCDet's
        Var y = linear.apply(x.reshape(m * p, linear.inFeatures));
        if (useNorm) y = norm.apply(y);
        y = y.relu().reshape(m, p, linear.outFeatures);
        Var max = y.max(1, true).values();
        if (lastLayer) return max;
        return Var.cat(2, y, max.expand(m, p, linear.outFeatures));
    }
}
