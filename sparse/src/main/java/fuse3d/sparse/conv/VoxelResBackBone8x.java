package fuse3d.sparse.conv;

import fuse3d.autograd.Var;
import fuse3d.nn.Module;
import fuse3d.nn.ReLU;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.Map;

/**
 * OpenPCDet's VoxelResBackBone8x: VoxelBackBone8x with the submanifold blocks replaced by pairs of
 * {@link SparseBasicBlock}s (indice keys res1..res4) and channels 16-32-64-128, conv_out 128 -> 128. Module
 * names follow OpenPCDet's (conv1.0.conv1.weight, conv2.0.0.weight, conv2.1.bn2.running_var, ...).
 */
public final class VoxelResBackBone8x extends Module {
    private final int[] sparseShape;
    private final SparseSequential convInput, conv1, conv2, conv3, conv4, convOut;

    /** See {@link VoxelBackBone8x#VoxelBackBone8x(int, int[], int, Generator)}. */
    public VoxelResBackBone8x(int inputChannels, int[] gridSize, int lastPad, Generator g) {
        sparseShape = VoxelBackBone8x.sparseShape("VoxelResBackBone8x", gridSize);
        convInput = registerModule("conv_input", new SparseSequential(new SubMConv3d(inputChannels, 16, 3, false, "subm1", g),
                VoxelBackBone8x.norm(16), new ReLU()));
        conv1 = registerModule("conv1", new SparseSequential(new SparseBasicBlock(16, 16, "res1", g), new SparseBasicBlock(16, 16, "res1", g)));
        conv2 = registerModule("conv2", new SparseSequential(VoxelBackBone8x.down(16, 32, new int[] {1, 1, 1}, "spconv2", g),
                new SparseBasicBlock(32, 32, "res2", g), new SparseBasicBlock(32, 32, "res2", g)));
        conv3 = registerModule("conv3", new SparseSequential(VoxelBackBone8x.down(32, 64, new int[] {1, 1, 1}, "spconv3", g),
                new SparseBasicBlock(64, 64, "res3", g), new SparseBasicBlock(64, 64, "res3", g)));
        conv4 = registerModule("conv4", new SparseSequential(VoxelBackBone8x.down(64, 128, new int[] {0, 1, 1}, "spconv4", g),
                new SparseBasicBlock(128, 128, "res4", g), new SparseBasicBlock(128, 128, "res4", g)));
        convOut = registerModule("conv_out", VoxelBackBone8x.convOut(128, 128, lastPad, g));
    }

    public VoxelResBackBone8x(int inputChannels, int[] gridSize, Generator g) { this(inputChannels, gridSize, 0, g); }

    public int[] sparseShape() { return sparseShape.clone(); }

    public int numPointFeatures() { return 128; }

    public Map<String, Integer> backboneChannels() { return Map.of("x_conv1", 16, "x_conv2", 32, "x_conv3", 64, "x_conv4", 128); }

    /** As {@link VoxelBackBone8x#forward}; the strides dict is filled too (1, 2, 4, 8), though OpenPCDet's version leaves it out. */
    public SparseBackboneOutput forward(Var voxelFeatures, Tensor voxelCoords, int batchSize) {
        SparseTensor x = SparseTensor.of(voxelFeatures, voxelCoords, sparseShape, batchSize);
        return VoxelBackBone8x.run(x, convInput, conv1, conv2, conv3, conv4, convOut);
    }
}
