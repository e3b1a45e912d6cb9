package fuse3d.nn.backbone;

import fuse3d.autograd.Var;
import fuse3d.nn.BatchNorm2d;
import fuse3d.nn.Conv2d;
import fuse3d.nn.Layer;
import fuse3d.nn.ReLU;
import fuse3d.nn.Sequential;
import fuse3d.tensor.Generator;

/**
 * torchvision's Bottleneck (ResNet-50 and deeper): 1x1 reduce, 3x3, 1x1 expand to 4 x planes, each with
 * BatchNorm. The stride sits in the 3x3 conv (torchvision's "ResNet v1.5"; the original paper and Caffe put
 * it in the first 1x1). Children conv1, bn1, conv2, bn2, conv3, bn3, relu, downsample.
 */
public final class Bottleneck extends Layer {
    /** Output channels per {@code planes}. */
    public static final int EXPANSION = 4;

    private final Conv2d conv1, conv2, conv3;
    private final BatchNorm2d bn1, bn2, bn3;
    private final ReLU relu;
    private final Sequential downsample;

    /** @param downsample the shortcut's projection, or null for the identity */
    public Bottleneck(int inplanes, int planes, int stride, Sequential downsample, Generator g) {
        conv1 = registerModule("conv1", new Conv2d(inplanes, planes, 1, 1, 0, false, g));
        bn1 = registerModule("bn1", new BatchNorm2d(planes));
        conv2 = registerModule("conv2", new Conv2d(planes, planes, 3, stride, 1, false, g));
        bn2 = registerModule("bn2", new BatchNorm2d(planes));
        conv3 = registerModule("conv3", new Conv2d(planes, planes * EXPANSION, 1, 1, 0, false, g));
        bn3 = registerModule("bn3", new BatchNorm2d(planes * EXPANSION));
        relu = registerModule("relu", new ReLU());
        this.downsample = downsample == null ? null : registerModule("downsample", downsample);
    }

    /** The BN whose weight zero_init_residual zeroes, so that the block starts as the identity. */
    BatchNorm2d lastNorm() { return bn3; }

    @Override
    protected Var forward(Var x) {
        Var out = relu.apply(bn1.apply(conv1.apply(x)));
        out = relu.apply(bn2.apply(conv2.apply(out)));
        out = bn3.apply(conv3.apply(out));
        Var identity = downsample == null ? x : downsample.apply(x);
        return relu.apply(out.add(identity));
    }
}
