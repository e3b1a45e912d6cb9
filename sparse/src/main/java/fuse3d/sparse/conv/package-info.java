/**
 * Sparse convolution on active voxels, with spconv 2.x semantics so that OpenPCDet configs and checkpoints map:
 * {@link fuse3d.sparse.conv.SparseTensor} (features, int coordinates (batch, z, y, x), spatial shape, batch size),
 * {@link fuse3d.sparse.conv.Rulebook} (input/output row pairs per kernel offset, cached per indice key on the
 * tensor chain), the submanifold / strided / inverse convolutions as gather-GEMM-scatter with their backward,
 * {@link fuse3d.sparse.conv.SparseSequential}, OpenPCDet's {@link fuse3d.sparse.conv.VoxelBackBone8x},
 * {@link fuse3d.sparse.conv.VoxelResBackBone8x} and {@link fuse3d.sparse.conv.HeightCompression}.
 *
 * <p>Weights are spconv 2.2+'s KRSC layout {@code [Cout, kD, kH, kW, Cin]}; {@link fuse3d.sparse.conv.SpconvWeights}
 * converts the older layouts (2.0/2.1 native RSKC {@code [kD, kH, kW, Cout, Cin]}, 1.x RSCK
 * {@code [kD, kH, kW, Cin, Cout]}).
 */
package fuse3d.sparse.conv;
