package fuse3d.nn.backbone;

import fuse3d.autograd.Var;
import fuse3d.nn.BatchNorm2d;
import fuse3d.nn.Conv2d;
import fuse3d.nn.Layer;
import fuse3d.nn.ReLU;
import fuse3d.nn.Sequential;
import fuse3d.tensor.Generator;

/**
 * torchvision's BasicBlock (ResNet-18/34): two 3x3 convs with BatchNorm, the first carrying the stride, and
 * the identity shortcut, or {@code downsample} (1x1 conv + BN) where the shape changes. Children conv1, bn1,
 * relu, conv2, bn2, downsample, as torchvision names them.
 */
public final class BasicBlock extends Layer {
    /** Output channels per {@code planes}. */
    public static final int EXPANSION = 1;

    private final Conv2d conv1, conv2;
    private final BatchNorm2d bn1, bn2;
    private final ReLU relu;
    private final Sequential downsample;

    /** @param downsample the shortcut's projection, or null for the identity */
    public BasicBlock(int inplanes, int planes, int stride, Sequential downsample, Generator g) {
        conv1 = registerModule("conv1", new Conv2d(inplanes, planes, 3, stride, 1, false, g));
        bn1 = registerModule("bn1", new BatchNorm2d(planes));
        relu = registerModule("relu", new ReLU());
        conv2 = registerModule("conv2", new Conv2d(planes, planes, 3, 1, 1, false, g));
        bn2 = registerModule("bn2", new BatchNorm2d(planes));
        this.downsample = downsample == null ? null : registerModule("downsample", downsample);
    }

    /** The BN whose weight zero_init_residual zeroes, so that the block starts as the identity. */
    BatchNorm2d lastNorm() { return bn2; }

    @Override
    protected Var forward(Var x) {
        Var out = relu.apply(bn1.apply(conv1.apply(x)));
        out = bn2.apply(conv2.apply(out));
        Var identity = downsample == null ? x : downsample.apply(x);
        return relu.apply(out.add(identity));
    }
}
