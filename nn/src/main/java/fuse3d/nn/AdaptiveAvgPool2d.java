package fuse3d.nn;

import fuse3d.autograd.Pooling;
import fuse3d.autograd.Var;

/** torch.nn.AdaptiveAvgPool2d: averages into a fixed [outH, outW] grid whatever the input size (global pooling at 1 x 1). */
public final class AdaptiveAvgPool2d extends Layer {
    private final int outH, outW;

    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH <= 0 || outW <= 0) throw new IllegalArgumentException("AdaptiveAvgPool2d: output size must be positive, got (" + outH + ", " + outW + ")");
        this.outH = outH;
        this.outW = outW;
    }

    public AdaptiveAvgPool2d(int outSize) { this(outSize, outSize); }

    @Override
    protected Var forward(Var x) { return Pooling.adaptiveAvgPool2d(x, outH, outW); }

    @Override
    protected String extraRepr() { return "output_size=(" + outH + ", " + outW + ")"; }
}
