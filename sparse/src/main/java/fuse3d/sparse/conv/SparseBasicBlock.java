package fuse3d.sparse.conv;

import fuse3d.nn.BatchNorm1d;
import fuse3d.nn.Module;
import fuse3d.nn.ReLU;
import fuse3d.tensor.Generator;

/**
 * OpenPCDet's SparseBasicBlock: the residual block of VoxelResBackBone8x, two 3x3x3 submanifold convolutions
 * (with bias, as OpenPCDet sets bias = norm_fn is not None) each followed by BatchNorm1d(eps 1e-3, momentum
 * 0.01), the input added back before the last ReLU. Children conv1, bn1, relu, conv2, bn2 as in its state dict.
 */
public final class SparseBasicBlock extends Module implements SparseModule {
    private final SubMConv3d conv1, conv2;
    private final BatchNorm1d bn1, bn2;
    private final ReLU relu;

    public SparseBasicBlock(int inplanes, int planes, String indiceKey, Generator g) {
        if (inplanes != planes)
            throw new IllegalArgumentException("SparseBasicBlock: without a downsample branch the identity needs inplanes == planes, got "
                    + inplanes + " and " + planes);
        conv1 = registerModule("conv1", new SubMConv3d(inplanes, planes, 3, true, indiceKey, g));
        bn1 = registerModule("bn1", new BatchNorm1d(planes, 1e-3, 0.01));
        relu = registerModule("relu", new ReLU());
        conv2 = registerModule("conv2", new SubMConv3d(planes, planes, 3, true, indiceKey, g));
        bn2 = registerModule("bn2", new BatchNorm1d(planes, 1e-3, 0.01));
    }

    @Override
    public SparseTensor apply(SparseTensor x) {
        SparseTensor out = conv1.apply(x);
        out = out.withFeatures(relu.apply(bn1.apply(out.features())));
        out = conv2.apply(out);
        // submanifold convolutions keep the sites in order, so the identity adds row by row
        return out.withFeatures(relu.apply(bn2.apply(out.features()).add(x.features())));
    }
}
