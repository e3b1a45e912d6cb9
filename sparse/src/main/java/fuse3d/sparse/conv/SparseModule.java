package fuse3d.sparse.conv;

/** A module that maps one sparse tensor to another (spconv's SparseModule): convolutions, sequences, blocks. */
public interface SparseModule {
    SparseTensor apply(SparseTensor x);
}
