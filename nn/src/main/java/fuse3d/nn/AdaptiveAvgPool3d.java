package fuse3d.nn;

import fuse3d.autograd.Pooling;
import fuse3d.autograd.Var;

/** torch.nn.AdaptiveAvgPool3d: averages into a fixed [outD, outH, outW] grid whatever the input size. */
public final class AdaptiveAvgPool3d extends Layer {
    private final int outD, outH, outW;

    public AdaptiveAvgPool3d(int outD, int outH, int outW) {
        if (outD <= 0 || outH <= 0 || outW <= 0)
            throw new IllegalArgumentException("AdaptiveAvgPool3d: output size must be positive, got (" + outD + ", " + outH + ", " + outW + ")");
        this.outD = outD;
        this.outH = outH;
        this.outW = outW;
    }

    public AdaptiveAvgPool3d(int outSize) { this(outSize, outSize, outSize); }

    @Override
    protected Var forward(Var x) { return Pooling.adaptiveAvgPool3d(x, outD, outH, outW); }

    @Override
    protected String extraRepr() { return "output_size=(" + outD + ", " + outH + ", " + outW + ")"; }
}
