package fuse3d.nn.backbone;

import fuse3d.autograd.Var;
import fuse3d.nn.BatchNorm2d;
import fuse3d.nn.Conv2d;
import fuse3d.nn.Layer;
import fuse3d.nn.ReLU;
import fuse3d.tensor.Generator;

/**
 * mmcv's ConvModule in its common form: a Conv2d named "conv", optionally a BatchNorm2d named "bn" and a ReLU
 * named "activate", applied in that order. As mmcv's bias="auto", the conv has a bias only when there is no
 * norm (the norm's own bias makes it redundant). The names match mmdet checkpoints
 * ({@code lateral_convs.0.conv.weight}).
 */
public final class ConvModule extends Layer {
    private final Conv2d conv;
    private final BatchNorm2d bn;
    private final ReLU activate;

    public ConvModule(int inChannels, int outChannels, int kernelSize, int stride, int padding, boolean batchNorm, boolean relu, Generator g) {
        conv = registerModule("conv", new Conv2d(inChannels, outChannels, kernelSize, stride, padding, !batchNorm, g));
        bn = batchNorm ? registerModule("bn", new BatchNorm2d(outChannels)) : null;
        activate = relu ? registerModule("activate", new ReLU()) : null;
    }

    public Conv2d conv() { return conv; }

    /** The norm, or null. */
    public BatchNorm2d norm() { return bn; }

    @Override
    protected Var forward(Var x) {
        Var y = conv.apply(x);
        if (bn != null) y = bn.apply(y);
        return activate == null ? y : activate.apply(y);
    }
}
