package fuse3d.sparse.conv;

import fuse3d.autograd.Var;
import fuse3d.nn.BatchNorm1d;
import fuse3d.nn.Module;
import fuse3d.nn.ReLU;
import fuse3d.tensor.Generator;
import fuse3d.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OpenPCDet's VoxelBackBone8x (SECOND, PV-RCNN, Voxel R-CNN): submanifold and strided sparse convolutions,
 * channels 16-32-64-64, three stride-2 downsamplings and a (3, 1, 1) stride (2, 1, 1) conv_out to 128 channels.
 * On KITTI's grid (41, 1600, 1408) the output is (2, 200, 176), which HeightCompression turns into a 256-channel
 * BEV map. Module names (conv_input.0, conv2.0.0, conv_out.1, ...) and indice keys (subm1, spconv2, subm2, ...,
 * spconv_down2) follow OpenPCDet's, so its checkpoints load by name.
 */
public final class VoxelBackBone8x extends Module {
    private final int[] sparseShape;
    private final SparseSequential convInput, conv1, conv2, conv3, conv4, convOut;

    /** OpenPCDet's widths: conv_input/conv1 16, conv2 32, conv3 64, conv4 64, conv_out 128. */
    public static final int[] PAPER_WIDTHS = {16, 32, 64, 64, 128};

    private final int[] widths;

    /**
     * @param inputChannels the VFE's feature count (4 for MeanVFE on KITTI)
     * @param gridSize      OpenPCDet's grid_size (x, y, z), e.g. (1408, 1600, 40)
     * @param lastPad       the config's LAST_PAD (0 by default): conv_out's padding
     * @param widths        output channels of conv_input/conv1, conv2, conv3, conv4 and conv_out; {@link #PAPER_WIDTHS}
     *                      for the paper's network, narrower for small CPU presets (same structure and names)
     */
    public VoxelBackBone8x(int inputChannels, int[] gridSize, int lastPad, int[] widths, Generator g) {
        sparseShape = sparseShape("VoxelBackBone8x", gridSize);
        if (widths == null || widths.length != 5 || Arrays.stream(widths).anyMatch(w -> w < 1))
            throw new IllegalArgumentException("VoxelBackBone8x: widths must be five positive channel counts (conv1, conv2, conv3, conv4, conv_out), got "
                    + Arrays.toString(widths));
        this.widths = widths.clone();
        int c1 = widths[0], c2 = widths[1], c3 = widths[2], c4 = widths[3];
        convInput = registerModule("conv_input", new SparseSequential(new SubMConv3d(inputChannels, c1, 3, false, "subm1", g), norm(c1), new ReLU()));
        conv1 = registerModule("conv1", new SparseSequential(subm(c1, c1, "subm1", g)));
        conv2 = registerModule("conv2", new SparseSequential(down(c1, c2, new int[] {1, 1, 1}, "spconv2", g), subm(c2, c2, "subm2", g), subm(c2, c2, "subm2", g)));
        conv3 = registerModule("conv3", new SparseSequential(down(c2, c3, new int[] {1, 1, 1}, "spconv3", g), subm(c3, c3, "subm3", g), subm(c3, c3, "subm3", g)));
        conv4 = registerModule("conv4", new SparseSequential(down(c3, c4, new int[] {0, 1, 1}, "spconv4", g), subm(c4, c4, "subm4", g), subm(c4, c4, "subm4", g)));
        convOut = registerModule("conv_out", convOut(c4, widths[4], lastPad, g));
    }

    public VoxelBackBone8x(int inputChannels, int[] gridSize, int lastPad, Generator g) { this(inputChannels, gridSize, lastPad, PAPER_WIDTHS, g); }

    public VoxelBackBone8x(int inputChannels, int[] gridSize, Generator g) { this(inputChannels, gridSize, 0, g); }

    /** The sparse grid (D, H, W): grid_size reversed plus one voxel of height, as OpenPCDet's sparse_shape. */
    public int[] sparseShape() { return sparseShape.clone(); }

    public int numPointFeatures() { return widths[4]; }

    /** x_conv1..x_conv4 channels (OpenPCDet's backbone_channels). */
    public Map<String, Integer> backboneChannels() { return Map.of("x_conv1", widths[0], "x_conv2", widths[1], "x_conv3", widths[2], "x_conv4", widths[3]); }

    /**
     * @param voxelFeatures [N, C] from the VFE
     * @param voxelCoords   [N, 4] (batch, z, y, x), integer
     */
    public SparseBackboneOutput forward(Var voxelFeatures, Tensor voxelCoords, int batchSize) {
        SparseTensor x = SparseTensor.of(voxelFeatures, voxelCoords, sparseShape, batchSize);
        return run(x, convInput, conv1, conv2, conv3, conv4, convOut);
    }

    static SparseBackboneOutput run(SparseTensor input, SparseModule convInput, SparseModule conv1, SparseModule conv2, SparseModule conv3,
                                    SparseModule conv4, SparseModule convOut) {
        SparseTensor x = convInput.apply(input);
        SparseTensor x1 = conv1.apply(x), x2 = conv2.apply(x1), x3 = conv3.apply(x2), x4 = conv4.apply(x3);
        SparseTensor out = convOut.apply(x4);
        Map<String, SparseTensor> ms = new LinkedHashMap<>();
        ms.put("x_conv1", x1);
        ms.put("x_conv2", x2);
        ms.put("x_conv3", x3);
        ms.put("x_conv4", x4);
        Map<String, Integer> strides = new LinkedHashMap<>();
        strides.put("x_conv1", 1);
        strides.put("x_conv2", 2);
        strides.put("x_conv3", 4);
        strides.put("x_conv4", 8);
        return new SparseBackboneOutput(out, 8, java.util.Collections.unmodifiableMap(ms), java.util.Collections.unmodifiableMap(strides));
    }

    static int[] sparseShape(String op, int[] gridSize) {
        if (gridSize == null || gridSize.length != 3 || Arrays.stream(gridSize).anyMatch(v -> v <= 0))
            throw new IllegalArgumentException(op + ": grid_size must be three positive (x, y, z) counts, got " + Arrays.toString(gridSize));
        return new int[] {gridSize[2] + 1, gridSize[1], gridSize[0]};
    }

    /** OpenPCDet's norm_fn: BatchNorm1d(eps 1e-3, momentum 0.01). */
    static BatchNorm1d norm(int c) { return new BatchNorm1d(c, 1e-3, 0.01); }

    /** post_act_block with conv_type 'subm': SubMConv3d(k3, no bias) + BN + ReLU. */
    static SparseSequential subm(int in, int out, String key, Generator g) {
        return new SparseSequential(new SubMConv3d(in, out, 3, false, key, g), norm(out), new ReLU());
    }

    /** post_act_block with conv_type 'spconv': SparseConv3d(k3, stride 2, padding, no bias) + BN + ReLU. */
    static SparseSequential down(int in, int out, int[] padding, String key, Generator g) {
        return new SparseSequential(new SparseConv3d(in, out, new int[] {3, 3, 3}, new int[] {2, 2, 2}, padding, null, false, key, g), norm(out),
                new ReLU());
    }

    /** conv_out: SparseConv3d(k (3, 1, 1), stride (2, 1, 1), padding last_pad, no bias, 'spconv_down2') + BN + ReLU. */
    static SparseSequential convOut(int in, int out, int lastPad, Generator g) {
        return new SparseSequential(new SparseConv3d(in, out, new int[] {3, 1, 1}, new int[] {2, 1, 1}, new int[] {lastPad, lastPad, lastPad}, null,
                false, "spconv_down2", g), norm(out), new ReLU());
    }
}
